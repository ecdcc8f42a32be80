import { registry } from "@web/core/registry";

// The Sales Manager takes a phone order on one screen: the caller's phone (a new
// customer), the goods, Nova Poshta to a branch found by its street, online payment;
// the order is agreed with the customer (the payment link goes out), and a move the
// Sales Manager may not make (the warehouse sends orders to assembly) is refused while
// the form keeps showing the true status.
const AGREED = "Погоджено з клієнтом";

function currentStatus() {
    const current = document.querySelector(".o_statusbar_status button.o_arrow_button_current");
    return current ? current.textContent.trim() : "";
}

registry.category("web_tour.tours").add("suite_sales_manager_phone_order", {
    steps: () => [
        {
            content: "The order pipeline is open: take a new order",
            trigger: ".o_kanban_view .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Type the caller's phone the way they say it",
            trigger: ".o_form_view .o_field_widget[name='customer_phone'] input",
            run: "edit 067 321 45 67 && click body",
        },
        {
            content: "Nobody has this phone yet: type the new customer's name",
            trigger: ".o_form_view .o_field_widget[name='customer_new_name'] input",
            run: "edit Олег Петренко && click body",
        },
        {
            content: "Choose Nova Poshta as the delivery method",
            trigger: ".o_form_view .o_field_widget[name='carrier_id'] input",
            run: "edit H-Sec Nova",
        },
        {
            content: "Pick it from the list",
            trigger: ".o-autocomplete--dropdown-item a:contains('H-Sec Nova Poshta')",
            run: "click",
        },
        {
            content: "Type the customer's city",
            trigger: ".o_form_view .o_field_widget[name='np_city_id'] input",
            run: "edit Льв",
        },
        {
            content: "Pick Lviv",
            trigger: ".o-autocomplete--dropdown-item a:contains('Львів')",
            run: "click",
        },
        {
            content: "Find the branch by its street",
            trigger: ".o_form_view .o_field_widget[name='np_warehouse_id'] input",
            run: "edit Тестова, 2",
        },
        {
            content: "Pick branch No. 2",
            trigger: ".o-autocomplete--dropdown-item a:contains('№2')",
            run: "click",
        },
        {
            content: "The customer pays online",
            trigger: ".o_form_view .o_field_widget[name='order_payment_kind'] input[data-value='online']",
            run: "click",
        },
        {
            content: "Add a product",
            trigger: ".o_form_view .o_field_widget[name='order_line'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Type the product",
            trigger: ".o_selected_row .o_field_widget[name='product_template_id'] input, .o_selected_row .o_field_widget[name='product_id'] input",
            run: "edit Kettle",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item a:contains('H-Sec Kettle')",
            run: "click",
        },
        {
            content: "The product is on the line",
            trigger: ".o_field_widget[name='order_line'] .o_data_row:contains('H-Sec Kettle')",
        },
        {
            content: "Save the order",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The goods are reserved: agree the order with the customer",
            trigger: ".o_form_saved button[name='action_order_flow_agree']",
            run: "click",
        },
        {
            content: "The order is agreed",
            trigger: `.o_statusbar_status button.o_arrow_button_current:contains('${AGREED}')`,
        },
        {
            content: "Try to send it to assembly before it is paid",
            trigger: ".o_statusbar_status button.o_arrow_button:not(.o_arrow_button_current):contains('Передано в комплектацію')",
            run: "click",
        },
        {
            content: "The move is refused with the reason",
            trigger: ".modal .modal-body:contains('Передано в комплектацію')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The form still shows the true status",
            trigger: `body:not(:has(.modal)) .o_form_view .o_statusbar_status:has(button.o_arrow_button_current:contains('${AGREED}'))`,
            run() {
                if (currentStatus() !== AGREED) {
                    throw new Error(`The status bar shows “${currentStatus()}”, not “${AGREED}”.`);
                }
            },
        },
    ],
});
