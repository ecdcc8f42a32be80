import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

// A Sales Manager clicks a status the order may not enter yet (“Sent to
// assembly” while the order is neither paid nor cash on delivery): the move
// is refused with the reason, and the form shows the order's true status at
// once, without unsaved changes left behind.
const stageIds = {};

async function loadStageIds() {
    const stages = await rpc("/web/dataset/call_kw/sale.order.stage/search_read", {
        model: "sale.order.stage",
        method: "search_read",
        args: [[["code", "in", ["availability_confirmed", "to_assembly"]]], ["code"]],
        kwargs: {},
    });
    for (const stage of stages) {
        stageIds[stage.code] = stage.id;
    }
}

registry.category("web_tour.tours").add("crm_order_flow_statusbar_refusal", {
    steps: () => [
        {
            content: "The order is open in its status “Availability confirmed”",
            trigger: ".o_form_view .o_statusbar_status:has(button.o_arrow_button_current)",
            run: loadStageIds,
        },
        {
            content: "Click “Sent to assembly” on the status bar",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button:not(.o_arrow_button_current)",
            run() {
                const current = document.querySelector(
                    ".o_statusbar_status button.o_arrow_button_current"
                );
                if (current.dataset.value !== String(stageIds.availability_confirmed)) {
                    throw new Error("The order does not start in “Availability confirmed”.");
                }
                document
                    .querySelector(
                        `.o_statusbar_status button[data-value="${stageIds.to_assembly}"]`
                    )
                    .click();
            },
        },
        {
            content: "The move is refused with the reason",
            trigger: ".modal .modal-body",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The form shows the true status at once, nothing left unsaved",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status:has(button.o_arrow_button_current:contains('Наявність підтверджено'))",
            run() {
                const current = document.querySelector(
                    ".o_statusbar_status button.o_arrow_button_current"
                );
                if (current.dataset.value !== String(stageIds.availability_confirmed)) {
                    throw new Error(
                        `The status bar shows the refused status (${current.dataset.value}).`
                    );
                }
                if (document.querySelector(".o_form_status_indicator_buttons:not(.invisible)")) {
                    throw new Error("The refused status is left as an unsaved change.");
                }
            },
        },
    ],
});
