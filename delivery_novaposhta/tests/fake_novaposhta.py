"""A local fake of the Nova Poshta API 2.0 for the tests and the benchmark.

Plain Python (no Odoo import). ``FakeNovaPoshta().start()`` serves on a free
port of 127.0.0.1 and speaks the envelope of the real API: ``success``,
``data``, ``errors``, ``errorCodes``, ``warnings`` (strings or objects),
``info`` (a list, or ``{"totalCount": n}`` for the paged directories), money
and numbers as strings, several date formats, a not-found number answered
with status code "3", errors as HTTP 200 with ``success: false``. Its
``getDocumentList`` rows have the shape of recorded real answers (no client
barcode unless ``list_barcodes``), and ``getDocumentDeliveryDate`` answers
``data[0].date``.

Faults (:data:`FAULTS`) are injected with :meth:`FakeNovaPoshta.fail_next`,
optionally limited to one ``calledMethod``, or drawn at random for a share of
the calls (``random_faults``, ``seed``: the benchmark):

- ``timeout_after_save`` (alias ``lost_answer``): NP does the work and holds
  its answer back: a processed save or a delete whose answer is lost;
- ``late``: the client gives up first, NP does the work afterwards (after
  ``late_seconds``, or when the test calls :meth:`process_late`);
- ``hang`` (alias ``timeout``): no work, the answer is held back;
- ``reset``: the connection is cut, nothing done; ``reset_after_save``: the
  work is done, then the connection is cut;
- ``429``, ``500``, ``502``, ``503``: that HTTP status, nothing done;
- ``malformed``: the work is done, the JSON answer is cut short;
- ``empty``: an empty body at HTTP 200, nothing done;
- ``html``: an HTML page at HTTP 200 (a proxy or a login page), nothing done;
- ``np_error``: NP's own refusal (``success: false`` with an error code).

:meth:`set_status` moves a waybill through NP's status codes.

A held answer waits for no fixed time: the connection is closed as soon as
the client gives up (its own timeout), or when the test calls
:meth:`release` (:meth:`reset` and :meth:`stop` do too); only a client that
waits longer than ``slow_seconds`` gets the late answer. ``latency`` (the
benchmark's simulated network time, none in the tests) delays every answer.
"""

import contextlib
import json
import random
import select
import socket
import struct
import threading
import time
import uuid
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VALID_KEY = "0123456789abcdef0123456789abcdef"
EXPIRED_KEY = "ffffffffffffffffffffffffffffffff"
SENDER_REF = "sender-ref-0001"
CONTACT_REF = "contact-ref-0001"
FAKE_PDF = b"%PDF-1.4\n% fake Nova Poshta label\n%%EOF\n"

STATUS_TEXT = {
    "1": "Відправник самостійно створив цю накладну, але ще не надав до відправки",
    "2": "Видалено",
    "3": "Номер не знайдено",
    "4": "Відправлення у місті відправника",
    "5": "Відправлення прямує до міста одержувача",
    "6": "Відправлення у місті одержувача",
    "7": "Прибув на відділення",
    "8": "Прибув на відділення (завантажено в Поштомат)",
    "9": "Відправлення отримано",
    "10": "Відправлення отримано. Грошовий переказ прямує до відправника",
    "11": "Відправлення отримано. Грошовий переказ видано відправнику",
    "102": "Відмова від отримання (Відправником створено замовлення на повернення)",
    "103": "Відмова одержувача",
    "111": "Невдала спроба доставки",
}


TRACKING_OVERRIDES = {
    "Status",
    "ScheduledDeliveryDate",
    "DatePayedKeeping",
    "DateFirstDayStorage",
    "StorageAmount",
    "StoragePrice",
    "RecipientDateTime",
    "RedeliverySum",
    "LastAmountTransferGM",
    "LastTransactionStatusGM",
    "LastTransactionDateTimeGM",
    "LastAmountReceivedCommissionGM",
    "RedeliveryNum",
    "AfterpaymentOnGoodsCost",
    "TrackingUpdateDate",
}


# fault → (NP does the work?, how the answer goes wrong)
FAULTS = {
    "timeout_after_save": True,
    "lost_answer": True,
    "late": True,
    "hang": False,
    "timeout": False,
    "reset": False,
    "reset_after_save": True,
    "429": False,
    "500": False,
    "502": False,
    "503": False,
    "malformed": True,
    "empty": False,
    "html": False,
    "np_error": False,
}
WRITE_METHODS = {"InternetDocument.save", "InternetDocument.delete"}
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>%s</h1></body></html>"


def _envelope(data=None, info=None, warnings=None):
    return {
        "success": True,
        "data": data or [],
        "errors": [],
        "warnings": warnings or [],
        "info": info if info is not None else [],
        "messageCodes": [],
        "errorCodes": [],
        "warningCodes": [],
        "infoCodes": [],
    }


def _failure(errors, codes, warnings=None):
    return {
        "success": False,
        "data": [],
        "errors": errors,
        "warnings": warnings or [],
        "info": [],
        "messageCodes": [],
        "errorCodes": codes,
        "warningCodes": [],
        "infoCodes": [],
    }


class FakeNovaPoshta:
    """State and behaviour of the fake; :meth:`start` serves it over HTTP."""

    def __init__(
        self,
        latency=0.0,
        slow_seconds=1.5,
        cities=None,
        warehouses=None,
        late_seconds=None,
        random_faults=0.0,
        seed=None,
        fault_kinds=None,
        list_barcodes=False,
    ):
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.late_seconds = late_seconds
        self.random_faults = random_faults
        self.fault_kinds = list(fault_kinds or FAULTS)
        self.rng = random.Random(seed)
        self.list_barcodes = list_barcodes
        self.lock = threading.RLock()
        self._released = threading.Event()
        self._stopped = threading.Event()
        self.server = None
        self.thread = None
        self.cities = cities if cities is not None else self.default_cities()
        self.warehouses = warehouses if warehouses is not None else self.default_warehouses()
        self.reset()

    # ------------------------------------------------------------------ data
    @staticmethod
    def default_cities():
        return [
            {
                "Ref": "city-kyiv",
                "Description": "Київ",
                "AreaDescription": "Київська",
                "SettlementTypeDescription": "місто",
                "CityID": "4",
            },
            {
                "Ref": "city-lviv",
                "Description": "Львів",
                "AreaDescription": "Львівська",
                "SettlementTypeDescription": "місто",
                "CityID": "5",
            },
            {
                "Ref": "city-odesa",
                "Description": "Одеса",
                "AreaDescription": "Одеська",
                "SettlementTypeDescription": "місто",
                "CityID": "6",
            },
        ]

    @staticmethod
    def default_warehouses():
        rows = []
        for city, label in (("city-kyiv", "Київ"), ("city-lviv", "Львів")):
            for number in range(1, 4):
                rows.append(
                    {
                        "Ref": f"wh-{city}-{number}",
                        "Number": str(number),
                        "Description": f"Відділення №{number}: вул. Тестова, {number}",
                        "ShortAddress": f"{label}, вул. Тестова, {number}",
                        "CityRef": city,
                        "CityDescription": label,
                        "CategoryOfWarehouse": "Branch",
                        "WarehouseStatus": "Working",
                        "DenyToSelect": "0",
                        "PlaceMaxWeightAllowed": "30",
                        "Latitude": "50.45",
                        "Longitude": "30.52",
                    }
                )
        rows.append(
            {
                "Ref": "wh-city-kyiv-postomat",
                "Number": "5001",
                "Description": "Поштомат №5001: вул. Тестова, 10",
                "ShortAddress": "Київ, вул. Тестова, 10",
                "CityRef": "city-kyiv",
                "CityDescription": "Київ",
                "CategoryOfWarehouse": "Postomat",
                "WarehouseStatus": "Working",
                "DenyToSelect": "0",
                "PlaceMaxWeightAllowed": 20,
            }
        )
        rows.append(
            {
                "Ref": "wh-city-kyiv-closed",
                "Number": "99",
                "Description": "Відділення №99 (закрите)",
                "ShortAddress": "Київ, вул. Закрита, 1",
                "CityRef": "city-kyiv",
                "CityDescription": "Київ",
                "CategoryOfWarehouse": "Branch",
                "WarehouseStatus": "Archive",
                "DenyToSelect": "1",
            }
        )
        return rows

    def reset(self):
        with self.lock:
            self.waybills = {}  # number -> dict
            self.calls = []
            self.failures = []
            self.faults_served = {}
            self.late_pending = []
            self.next_number = 20450000000001
            self.expired_keys = {EXPIRED_KEY}
        self.release()

    # --------------------------------------------------------------- control
    def fail_next(self, kind, method=None, times=1):
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            for _i in range(times):
                self.failures.append((kind, method))

    def release(self):
        """End now the requests whose answer is held back (a hang, a lost
        answer): their connections are closed without an answer."""
        with self.lock:
            released, self._released = self._released, threading.Event()
        released.set()

    def _hold(self, connection):
        """Hold an answer back until the client hangs up, :meth:`release`
        is called, or ``slow_seconds`` have passed. → whether the answer is
        still to be sent (the client waited longer than ``slow_seconds``)."""
        released = self._released
        deadline = time.monotonic() + self.slow_seconds
        while not released.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            # readable while held: the client closed its end (it gave up)
            readable, _w, _x = select.select([connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if not connection.recv(1, socket.MSG_PEEK):
                        return False
                except OSError:
                    return False
        return False

    def process_late(self):
        """Do now the work of the ``late`` requests still pending (a test
        decides when NP gets to them)."""
        with self.lock:
            pending, self.late_pending = self.late_pending, []
        return [work() for work in pending]

    def live_waybills(self, barcode=None):
        """Waybills not deleted at NP (of one client barcode)."""
        with self.lock:
            return [
                w
                for w in self.waybills.values()
                if w["StatusCode"] != "2" and (barcode is None or w.get("ClientBarcode") == barcode)
            ]

    def duplicates(self):
        """Client barcodes with more than one live waybill."""
        with self.lock:
            count = {}
            for waybill in self.live_waybills():
                code = waybill.get("ClientBarcode") or ""
                count[code] = count.get(code, 0) + 1
            return {code: n for code, n in count.items() if code and n > 1}

    def add_waybill(self, number=None, status="1", phone="380501234567", barcode="", **fields):
        with self.lock:
            number = str(number or self.next_number)
            self.next_number = max(self.next_number, int(number)) + 1
            self.waybills[number] = dict(
                {
                    "Ref": str(uuid.uuid4()),
                    "Number": number,
                    "StatusCode": str(status),
                    "Phone": phone,
                    "ClientBarcode": barcode,
                    "Created": datetime.now(),
                    "Redelivery": "0",
                },
                **fields,
            )
            return self.waybills[number]

    def set_status(self, number, code, **fields):
        with self.lock:
            waybill = self.waybills[str(number)]
            waybill["StatusCode"] = str(code)
            waybill.update(fields)
            return waybill

    def count_calls(self, method=None):
        with self.lock:
            return sum(
                1
                for call in self.calls
                if method
                in (None, call["calledMethod"], f"{call['modelName']}.{call['calledMethod']}")
            )

    def waybills_with_barcode(self, barcode):
        with self.lock:
            return [w for w in self.waybills.values() if w.get("ClientBarcode") == barcode]

    def _take_failure(self, method, model=None):
        with self.lock:
            for index, (kind, only) in enumerate(self.failures):
                if only in (None, method, f"{model}.{method}"):
                    del self.failures[index]
                    return kind
            if self.random_faults and self.rng.random() < self.random_faults:
                return self.rng.choice(self.fault_kinds)
        return None

    # -------------------------------------------------------------- handling
    def handle(self, body):
        """→ (http status, body bytes, latency seconds, ``"reset"`` to cut
        the connection instead of answering, ``"hold"`` to hold the answer
        back (:meth:`_hold`), or None)."""
        model, method = body.get("modelName"), body.get("calledMethod")
        props = body.get("methodProperties") or {}
        with self.lock:
            self.calls.append({"modelName": model, "calledMethod": method, "props": props})
        failure = self._take_failure(method, model)
        delay = self.latency
        if failure:
            with self.lock:
                self.faults_served[failure] = self.faults_served.get(failure, 0) + 1
        if failure and not FAULTS[failure]:
            return self._fault_answer(failure, delay)
        key = body.get("apiKey")
        if key in self.expired_keys:
            return 200, self._json(_failure(["API key expired"], ["20000201204"])), delay, None
        if key != VALID_KEY:
            return 200, self._json(_failure(["API auth fail"], ["20000200068"])), delay, None
        handler = getattr(self, f"_m_{model}_{method}", None)
        if handler is None:
            answer = _failure([f"Method {method} not found"], ["20000100003"])
            return 200, self._json(answer), delay, None
        if failure == "late":
            with self.lock:
                self.late_pending.append(lambda: self._work(handler, props))
            if self.late_seconds is not None:
                timer = threading.Timer(self.late_seconds, self.process_late)
                timer.daemon = True
                timer.start()
            return 200, self._json(_envelope()), delay, "hold"
        answer = self._work(handler, props)
        if failure in ("timeout_after_save", "lost_answer"):
            return 200, self._json(answer), delay, "hold"
        if failure == "reset_after_save":
            return 0, b"", delay, "reset"
        if failure == "malformed":
            text = self._json(answer)
            return 200, text[: max(1, len(text) // 2)], delay, None
        return 200, self._json(answer), delay, None

    def _work(self, handler, props):
        with self.lock:
            return handler(props)

    def _fault_answer(self, failure, delay):
        if failure in ("hang", "timeout"):
            return 200, self._json(_envelope()), delay, "hold"
        if failure == "reset":
            return 0, b"", delay, "reset"
        if failure == "429":
            return 429, HTML_PAGE % b"429 Too Many Requests", delay, None
        if failure in ("500", "502", "503"):
            return int(failure), HTML_PAGE % failure.encode(), delay, None
        if failure == "empty":
            return 200, b"", delay, None
        if failure == "html":
            return 200, HTML_PAGE % b"Maintenance", delay, None
        # np_error: NP's own refusal
        answer = _failure(["Internal error, try later"], ["20000100000"])
        return 200, self._json(answer), delay, None

    @staticmethod
    def _json(data):
        return json.dumps(data, ensure_ascii=False).encode()

    @staticmethod
    def _page(rows, props):
        page = int(props.get("Page") or 1)
        limit = int(props.get("Limit") or 500)
        return rows[(page - 1) * limit : page * limit]

    def _m_Address_getCities(self, props):
        rows = self.cities
        if props.get("FindByString"):
            rows = [r for r in rows if props["FindByString"].lower() in r["Description"].lower()]
        return _envelope(self._page(rows, props), info={"totalCount": len(rows)})

    def _m_AddressGeneral_getWarehouses(self, props):
        rows = self.warehouses
        if props.get("CityRef"):
            rows = [r for r in rows if r["CityRef"] == props["CityRef"]]
        # The real API answers totalCount as a number inside an object.
        return _envelope(self._page(rows, props), info={"totalCount": len(rows)})

    def _m_Address_searchSettlements(self, props):
        name = (props.get("CityName") or "").lower()
        found = [
            {
                "Present": c["Description"],
                "Ref": "s-" + c["Ref"],
                "DeliveryCity": c["Ref"],
                "Warehouses": 3,
                "MainDescription": c["Description"],
            }
            for c in self.cities
            if name in c["Description"].lower()
        ]
        return _envelope([{"TotalCount": len(found), "Addresses": found}])

    def _m_Counterparty_getCounterparties(self, props):
        return _envelope(
            [
                {
                    "Ref": SENDER_REF,
                    "Description": "ФОП Тестовий Магазин",
                    "CounterpartyType": "PrivatePerson",
                }
            ],
            info={"totalCount": 1},
        )

    def _m_Counterparty_getCounterpartyContactPersons(self, props):
        return _envelope(
            [{"Ref": CONTACT_REF, "Description": "Тестова Олена", "Phones": "380671112233"}]
        )

    def _m_Counterparty_save(self, props):
        phone = str(props.get("Phone") or "")
        if not phone.startswith("380") or len(phone) != 12:
            return _failure(["RecipientsPhone is invalid"], ["20000300434"])
        return _envelope(
            [
                {
                    "Ref": f"recipient-{phone}",
                    "Description": f"{props.get('LastName')} {props.get('FirstName')}",
                    "ContactPerson": {"success": True, "data": [{"Ref": f"contact-{phone}"}]},
                }
            ]
        )

    def _m_InternetDocument_save(self, props):
        missing = [
            name
            for name in (
                "PayerType",
                "PaymentMethod",
                "DateTime",
                "CargoType",
                "Weight",
                "ServiceType",
                "Description",
                "Cost",
                "CitySender",
                "Sender",
                "SenderAddress",
                "ContactSender",
                "SendersPhone",
            )
            if not props.get(name)
        ]
        if missing:
            return _failure([f"{name} is empty" for name in missing], ["20000100001"])
        city = props.get("CityRecipient")
        if props.get("NewAddress") != "1" and city not in {c["Ref"] for c in self.cities}:
            return _failure(["CityRecipient is invalid"], ["20000200278"])
        if str(props.get("RecipientsPhone", "")).startswith("000"):
            return _failure(["RecipientsPhone is invalid"], ["20000300434"])
        warehouse = next(
            (w for w in self.warehouses if w["Ref"] == props.get("RecipientAddress")), None
        )
        if warehouse and warehouse["CategoryOfWarehouse"] == "Postomat":
            if float(props.get("Cost") or 0) > 6000:
                return _failure(
                    ["Declared value for a parcel locker cannot exceed 6000"], ["20000203297"]
                )
            if not props.get("OptionsSeat"):
                return _failure(["OptionsSeat is required for Postomat"], ["20000900746"])
        redelivery = "0"
        for back in props.get("BackwardDeliveryData") or []:
            if back.get("CargoType") == "Money":
                redelivery = str(back.get("RedeliveryString"))
        waybill = self.add_waybill(
            status="1",
            phone=props.get("RecipientsPhone"),
            barcode=str(props.get("InfoRegClientBarcodes") or ""),
            Redelivery=redelivery,
            Warehouse=warehouse,
            Content={
                key: props.get(key)
                for key in (
                    "DateTime",
                    "Cost",
                    "SeatsAmount",
                    "Weight",
                    "Description",
                    "CityRecipient",
                    "RecipientAddress",
                    "PayerType",
                    "PaymentMethod",
                )
            },
        )
        estimated = (datetime.now() + timedelta(days=2)).strftime("%d.%m.%Y")
        return _envelope(
            [
                {
                    "Ref": waybill["Ref"],
                    "CostOnSite": 70,
                    "EstimatedDeliveryDate": estimated,
                    "IntDocNumber": waybill["Number"],
                    "TypeDocument": "InternetDocument",
                }
            ],
            warnings=[{"Recipient": "recipient updated"}] if props.get("Recipient") else [],
        )

    def _m_InternetDocument_delete(self, props):
        refs = props.get("DocumentRefs") or []
        refs = refs if isinstance(refs, list) else [refs]
        deleted = []
        for ref in refs:
            waybill = next((w for w in self.waybills.values() if w["Ref"] == ref), None)
            if not waybill:
                return _failure(["Document not found"], ["20000400236"])
            if waybill["StatusCode"] not in ("1",):
                return _failure(["Document can not be deleted"], ["20000400338"])
            waybill["StatusCode"] = "2"
            deleted.append({"Ref": ref})
        return _envelope(deleted)

    def _m_InternetDocument_getDocumentList(self, props):
        """The shape of recorded real answers: the waybill's own content
        (date as dd.mm.YYYY, money and numbers as strings, StateId), no
        client barcode unless ``list_barcodes``."""
        rows = []
        for w in self.waybills.values():
            if w["StatusCode"] == "2":
                continue
            content = w.get("Content") or {}
            row = {
                "Ref": w["Ref"],
                "DateTime": content.get("DateTime") or w["Created"].strftime("%d.%m.%Y"),
                "EWDateCreated": w["Created"].strftime("%d.%m.%Y"),
                "IntDocNumber": w["Number"],
                "Weight": str(content.get("Weight") or ""),
                "SeatsAmount": str(content.get("SeatsAmount") or ""),
                "Cost": str(content.get("Cost") or ""),
                "CostOnSite": "70",
                "Description": content.get("Description") or "",
                "CityRecipient": content.get("CityRecipient") or "",
                "RecipientAddress": content.get("RecipientAddress") or "",
                "RecipientsPhone": w.get("Phone") or "",
                "PayerType": content.get("PayerType") or "",
                "PaymentMethod": content.get("PaymentMethod") or "",
                "StateId": w["StatusCode"],
                "StateName": STATUS_TEXT.get(w["StatusCode"], ""),
            }
            if self.list_barcodes:
                row["InfoRegClientBarcodes"] = w.get("ClientBarcode", "")
            rows.append(row)
        return _envelope(rows, info={"totalCount": len(rows)})

    def _m_InternetDocument_getDocumentPrice(self, props):
        weight = float(props.get("Weight") or 0.1)
        cost = 60 + round(weight * 10, 2)
        return _envelope(
            [{"AssessedCost": props.get("Cost"), "Cost": str(cost), "CostRedelivery": "0"}]
        )

    def _m_InternetDocument_getDocumentDeliveryDate(self, props):
        # As recorded real answers have it: the date object is data[0].
        when = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%d 00:00:00")
        return _envelope(
            [{"date": when + ".000000", "timezone_type": "3", "timezone": "Europe/Kiev"}]
        )

    def _m_TrackingDocument_getStatusDocuments(self, props):
        documents = props.get("Documents") or []
        if len(documents) > 100:
            return _failure(["Too many documents"], ["20000100050"])
        data = []
        for doc in documents:
            number = str(doc.get("DocumentNumber"))
            waybill = self.waybills.get(number)
            if waybill is None:
                data.append({"Number": number, "StatusCode": "3", "Status": STATUS_TEXT["3"]})
                continue
            code = waybill["StatusCode"]
            item = {
                "Number": number,
                "StatusCode": code,  # a string, as NP sends it
                "Status": waybill.get("Status") or STATUS_TEXT.get(code, f"Статус {code}"),
                "ClientBarcode": waybill.get("ClientBarcode", ""),
                "ScheduledDeliveryDate": (waybill["Created"] + timedelta(days=2)).strftime(
                    "%d-%m-%Y %H:%M:%S"
                ),
                "TrackingUpdateDate": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                "RedeliverySum": waybill.get("Redelivery") or 0,
                "RecipientDateTime": "",
                "DateFirstDayStorage": "",
                "DatePayedKeeping": "",
                "LastCreatedOnTheBasisNumber": "",
                # the money transfer (cash on delivery): empty until NP pays it out
                "RedeliveryNum": "",
                "AfterpaymentOnGoodsCost": "",
                "LastTransactionStatusGM": "",
                "LastTransactionDateTimeGM": "",
                "LastAmountTransferGM": "",
                "LastAmountReceivedCommissionGM": 0,
            }
            warehouse = waybill.get("Warehouse")
            if warehouse:
                item["WarehouseRecipient"] = warehouse["Description"]
                item["WarehouseRecipientNumber"] = int(warehouse["Number"])
            if code in ("7", "8"):
                first = waybill.get("DateFirstDayStorage") or datetime.now().strftime("%Y-%m-%d")
                item["DateFirstDayStorage"] = first
                item["DatePayedKeeping"] = waybill.get("DatePayedKeeping") or (
                    datetime.strptime(first, "%Y-%m-%d") + timedelta(days=7)
                ).strftime("%Y-%m-%d 00:00:00")
            if code in ("9", "10", "11"):
                item["RecipientDateTime"] = datetime.now().strftime("%d.%m.%Y %H:%M:%S")
            if code == "11":
                item["LastTransactionStatusGM"] = "Видано"
                item["LastAmountTransferGM"] = waybill.get("Redelivery")
                item["LastTransactionDateTimeGM"] = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            if code in ("102", "103"):
                item["UndeliveryReasons"] = "Відмова одержувача"
                item["LastCreatedOnTheBasisNumber"] = waybill.get("ReturnNumber", "")
            # Fields a test set on the waybill override the computed ones.
            item.update({k: v for k, v in waybill.items() if k in TRACKING_OVERRIDES})
            data.append(item)
        return _envelope(data)

    # ------------------------------------------------------------------ http
    def handle_get(self, path):
        with self.lock:
            self.calls.append({"modelName": "print", "calledMethod": "printMarking", "props": {}})
        failure = self._take_failure("printMarking")
        if failure in ("500", "502", "503", "html", "429"):
            return 500, b"error", "text/html"
        if f"/apiKey/{VALID_KEY}" not in path:
            return 200, b"<html>login</html>", "text/html"
        return 200, FAKE_PDF, "application/pdf"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                status, payload, latency, end = fake.handle(body)
                if latency:
                    fake._stopped.wait(latency)
                if end == "reset":
                    self._reset()
                    return
                if end == "hold" and not fake._hold(self.connection):
                    # the client gave up (or the test released it): the answer is lost
                    self.close_connection = True
                    return
                ctype = "text/html" if payload.lstrip()[:1] == b"<" else "application/json"
                self._reply(status, payload, ctype)

            def do_GET(self):  # noqa: N802
                status, payload, ctype = fake.handle_get(self.path)
                if fake.latency:
                    fake._stopped.wait(fake.latency)
                self._reply(status, payload, ctype)

            def _reply(self, status, payload, ctype):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    # the client gave up waiting (a timeout test): nothing to answer
                    self.close_connection = True

            def _reset(self):
                # Cut the connection (TCP reset) without an answer.
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # A client that gave up, a connection we cut: nothing to report.
                pass

        self._stopped.clear()
        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/v2.0/json/"

    @property
    def root_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def print_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/orders/"

    def stop(self):
        self._stopped.set()
        self.release()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
