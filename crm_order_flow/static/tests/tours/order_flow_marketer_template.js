import { registry } from "@web/core/registry";

// The Marketer changes the text of a customer SMS with the allowed
// placeholders and saves it, previews it filled from a sample order (he reads
// no order); a placeholder outside the allowed list is refused with the list
// of the allowed ones, and nothing is saved.
registry.category("web_tour.tours").add("crm_order_flow_marketer_template", {
    steps: () => [
        {
            content: "Write a text with the allowed placeholders",
            trigger: ".o_form_view div[name='body'] textarea",
            run: "edit {{ object.customer_first_name }}, замовлення {{ object.name }} на суму {{ object.amount_total_text }} прийнято!",
        },
        {
            content: "Save it",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "The placeholders count in the text's length",
            trigger: ".o_form_view div[name='body_segments'] div[name='body_placeholder_count']:contains(3)",
        },
        {
            content: "Preview the text",
            trigger: ".o_form_view .oe_stat_button:has(.fa-search-plus)",
            run: "click",
        },
        {
            content: "The placeholders are filled from a sample order",
            trigger: ".modal .o_field_widget[name='body']:contains(Олена, замовлення S00042 на суму)",
        },
        {
            content: "The preview says the values are examples",
            trigger: ".modal div[name='order_flow_sample_note']:not(.d-none)",
        },
        {
            content: "Close the preview",
            trigger: ".modal .modal-footer .btn-secondary",
            run: "click",
        },
        {
            content: "Put a forbidden placeholder into the text",
            trigger: "body:not(:has(.modal)) .o_form_view div[name='body'] textarea",
            run: "edit Логін менеджера {{ object.user_id.login }}",
        },
        {
            content: "Try to save it",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "It is refused with the allowed placeholders",
            trigger: ".modal .modal-body:contains(object.customer_first_name)",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Drop the refused change",
            trigger: "body:not(:has(.modal)) .o_form_button_cancel",
            run: "click",
        },
        {
            content: "The saved text is back",
            trigger: "body:not(:has(.modal)) .o_form_view div[name='body'] textarea",
            run() {
                const text = document.querySelector(".o_form_view div[name='body'] textarea").value;
                if (!text.includes("прийнято!") || text.includes("login")) {
                    throw new Error(`Unexpected template text after the refusal: ${text}`);
                }
            },
        },
    ],
});
