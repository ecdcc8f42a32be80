import { registry } from "@web/core/registry";

// The Logistics user's day with one order (the test names it NP-TOUR-1): find it
// among the orders to assemble, move it through assembly, create its Nova Poshta
// waybill, open the label, then open the list of waybills.
const ORDER = "NP-TOUR-1";

registry.category("web_tour.tours").add("novaposhta_logistics", {
    steps: () => [
        {
            content: "Look for the order in the order pipeline",
            trigger: ".o_searchview_input",
            run: `edit ${ORDER}`,
        },
        {
            content: "Search for it",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The order waits in the column of orders sent to assembly: open it",
            trigger: `.o_kanban_group:has(.o_column_title:contains('Передано в комплектацію')) .o_kanban_record:contains('${ORDER}')`,
            run: "click",
        },
        {
            content: "Start assembling it",
            trigger: ".o_statusbar_status button:not(.o_arrow_button_current):contains('Комплектується')",
            run: "click",
        },
        {
            content: "It is being assembled",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Комплектується')",
        },
        {
            content: "The order is assembled",
            trigger: ".o_statusbar_status button:not(.o_arrow_button_current):contains('Укомплектовано')",
            run: "click",
        },
        {
            content: "The order flow hands it to delivery",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Передано в доставку')",
        },
        {
            content: "Open the Nova Poshta tab",
            trigger: ".o_notebook_headers a[name='novaposhta']",
            run: "click",
        },
        {
            content: "The branch chosen by the customer is on the order's main page",
            trigger: ".o_group .o_field_widget[name='np_warehouse_id'] input",
        },
        {
            content: "Create the waybill at Nova Poshta",
            trigger: "button[name='action_np_create_waybill']",
            run: "click",
        },
        {
            content: "The waybill number is on the order",
            trigger: ".o_field_widget[name='np_waybill_number'] span:contains('2045')",
        },
        {
            content: "Open the label",
            trigger: "button[name='action_np_print_label']",
            run: "click",
        },
        {
            content: "Open the orders menu",
            trigger: ".o_main_navbar button[data-menu-xmlid='sale.sale_order_menu']",
            run: "click",
        },
        {
            content: "Open the Nova Poshta waybills",
            trigger: ".dropdown-item[data-menu-xmlid='delivery_novaposhta.menu_np_waybills']",
            run: "click",
        },
        {
            content: "The new waybill is listed with its order",
            trigger: `.o_list_renderer .o_data_row:contains('${ORDER}'):contains('2045')`,
        },
    ],
});
