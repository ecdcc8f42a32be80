import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The accountant's day at the cash register, as she clicks it in the Ukrainian
// interface: open the shift, fiscalize an invoice, look at the receipt (fiscal
// number, QR code, link), take an X-report and close the shift with a Z-report.
// The test (fiscal_ua/tests/test_tour_accountant.py) names the register
// "Тур: онлайн-каса" and the invoice's customer "Тур: Оксана Мельник", for 1490.00 UAH.
const REGISTER = "Тур: онлайн-каса";
const CUSTOMER = "Тур: Оксана Мельник";

function closeNotification(type) {
    return {
        content: "Close the notification",
        trigger: `.o_notification:has(.o_notification_bar.bg-${type}) .o_notification_close`,
        run: "click",
    };
}

registry.category("web_tour.tours").add("fiscal_ua_accountant_day", {
    url: "/odoo",
    steps: () => [
        // --- the register: open the shift
        ...stepUtils.goToAppSteps("fiscal_ua.menu_fiscal_root", "Open the Fiscal app"),
        {
            content: "Open the configuration menu",
            trigger: ".o_main_navbar [data-menu-xmlid='fiscal_ua.menu_fiscal_config']",
            run: "click",
        },
        {
            content: "Open the cash registers",
            trigger: ".dropdown-item[data-menu-xmlid='fiscal_ua.menu_fiscal_registers']",
            run: "click",
        },
        {
            content: "Open the store's register",
            trigger: `.o_list_view .o_data_row:has(td[name='license_key_set']) td[name='name']:contains('${REGISTER}')`,
            run: "click",
        },
        {
            content: "Open the shift",
            trigger: ".o_form_view button[name='action_open_shift']",
            run: "click",
        },
        {
            content: "Checkbox opened the shift",
            trigger: ".o_notification:has(.o_notification_bar.bg-success)",
        },
        closeNotification("success"),
        {
            content: "The register has an open shift: the X-report button shows",
            trigger: ".o_form_view button[name='action_x_report']",
        },
        // --- the invoice: fiscalize it
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the customers menu",
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "Open the customer invoices",
            trigger: ".dropdown-item[data-menu-xmlid='account.menu_action_move_out_invoice_type']",
            run: "click",
        },
        {
            content: "Open the customer's invoice",
            trigger: `.o_list_view .o_data_row:contains('${CUSTOMER}') td.o_data_cell`,
            run: "click",
        },
        {
            content: "Fiscalize it",
            trigger: ".o_form_view button[name='action_fiscalize']",
            run: "click",
        },
        {
            content: "Checkbox issued the receipt",
            trigger: ".o_notification:has(.o_notification_bar.bg-success)",
        },
        closeNotification("success"),
        {
            content: "The invoice shows its receipt; the button is gone",
            trigger:
                ".o_form_view:not(:has(button[name='action_fiscalize'])) " +
                "button[name='action_view_fiscal_receipts']:has(.o_stat_value:contains('1'))",
            run: "click",
        },
        {
            content: "Open the receipt",
            trigger: ".o_list_view .o_data_row td[name='display_name']",
            run: "click",
        },
        {
            content: "The receipt's title names its type in Ukrainian",
            trigger: ".o_form_view .oe_title h1:contains('Продаж ')",
        },
        {
            content: "The receipt has its fiscal number",
            trigger: ".o_form_view .o_field_widget[name='fiscal_code'] span:not(:empty)",
        },
        {
            content: "The receipt has its QR code",
            trigger: ".o_form_view .o_field_widget[name='qr_code'] img",
        },
        {
            content: "The receipt has its public link",
            trigger: ".o_form_view .o_field_widget[name='public_url'] a[href*='checkbox']",
        },
        {
            content: "The receipt can be opened at Checkbox",
            trigger: ".o_form_view button[name='action_open_link']",
        },
        // --- the shift: X-report, then close it
        ...stepUtils.goToAppSteps("fiscal_ua.menu_fiscal_root", "Back to the Fiscal app"),
        {
            content: "Open the shifts",
            trigger: ".o_main_navbar [data-menu-xmlid='fiscal_ua.menu_fiscal_shifts']",
            run: "click",
        },
        {
            content: "Open the register's open shift",
            trigger: `.o_list_view .o_data_row:has(td[name='receipt_count']) td[name='register_id']:contains('${REGISTER}')`,
            run: "click",
        },
        {
            content: "The shift lists its receipt",
            trigger: ".o_form_view button[name='action_view_receipts'] .o_stat_value:contains('1')",
        },
        {
            content: "Take an X-report",
            trigger: ".o_form_view button[name='action_x_report']",
            run: "click",
        },
        {
            content: "The X-report shows the sales of the shift: one receipt, 1490.00 UAH",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains('1490.00')",
        },
        closeNotification("success"),
        {
            content: "Close the shift (Z-report)",
            trigger: ".o_form_view button[name='action_close']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Checkbox closed the shift",
            trigger: ".o_notification:has(.o_notification_bar.bg-success)",
        },
        {
            content: "The shift is closed",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='CLOSED']",
        },
    ],
});
