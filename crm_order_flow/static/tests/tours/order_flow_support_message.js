import { registry } from "@web/core/registry";

function fieldText(name) {
    const field = document.querySelector(`.o_form_view .o_field_widget[name='${name}']`);
    const input = field && field.querySelector("input, textarea");
    return field ? (input ? input.value : field.textContent) : "";
}

// Customer Support answers a customer who calls: finds the order by the
// phone the customer gives, reads where the parcel is, notes the call in
// the chatter and writes the customer a message (placeholders filled from
// the order), which goes by the customer's channel.
registry.category("web_tour.tours").add("crm_order_flow_support_message", {
    steps: () => [
        {
            content: "Type the customer's phone as the customer says it",
            trigger: ".o_control_panel .o_searchview_input",
            run: "edit 063 555 19 28",
        },
        {
            content: "The search offers to look for it",
            trigger: ".o_searchview_autocomplete .o_menu_item",
        },
        {
            content: "Search",
            trigger: ".o_control_panel .o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The customer's order is found, and only it",
            trigger: ".o_list_view .o_data_row:only-child:contains(Оксана Підтримкова)",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row:contains(Оксана Підтримкова) td[name='name']",
            run: "click",
        },
        {
            content: "The order's status is on the status bar",
            trigger: ".o_form_view .o_field_widget[name='stage_id'] .o_arrow_button_current",
        },
        {
            content: "Open the order flow page",
            trigger: ".o_form_view .o_notebook .nav-link[name='order_flow']",
            run: "click",
        },
        {
            content: "Read the tracking number and the pickup point",
            trigger: ".o_form_view .o_field_widget[name='delivery_point_name']",
            run() {
                const tracking = fieldText("delivery_tracking_ref");
                const point = fieldText("delivery_point_name");
                if (!tracking.includes("20450000012345") || !point.includes("Відділення № 7")) {
                    throw new Error(`Delivery not shown: ${tracking} / ${point}`);
                }
            },
        },
        {
            content: "Log a note about the call",
            trigger: ".o-mail-Chatter button.o-mail-Chatter-logNote",
            run: "click",
        },
        {
            content: "Write the note",
            trigger: ".o-mail-Chatter .o-mail-Composer-input",
            run: "edit Клієнтка питала, де посилка",
        },
        {
            content: "Save the note",
            trigger: ".o-mail-Chatter .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The note is in the chatter",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Клієнтка питала, де посилка)",
        },
        {
            content: "Message the customer",
            trigger: ".o_form_view button[name='action_order_flow_message_customer']",
            run: "click",
        },
        {
            content: "The message goes by the customer's channel",
            trigger: ".modal .o_field_widget[name='medium']:contains(SMS)",
        },
        {
            content: "Write the message with placeholders",
            trigger: ".modal .o_field_widget[name='body'] textarea",
            run: "edit {{ object.customer_first_name }}, посилка {{ object.name }} чекає у {{ object.delivery_point_name }}",
        },
        {
            content: "Send it",
            trigger: ".modal .modal-footer button[name='action_send']",
            run: "click",
        },
        {
            content: "The message is on its way",
            trigger: ".o_notification:contains(Оксана Підтримкова)",
        },
        {
            content: "The form is back, without the dialog",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name='stage_id']",
        },
    ],
});
