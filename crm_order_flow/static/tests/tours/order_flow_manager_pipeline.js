import { registry } from "@web/core/registry";

// The Manager opens the order pipeline: every column with orders shows how
// many orders it holds and their sum; columns without orders are folded so
// that the daily ones fit; the “Overdue” filter keeps the late orders only.
registry.category("web_tour.tours").add("crm_order_flow_manager_pipeline", {
    steps: () => [
        {
            content: "A column with orders shows their number",
            trigger: ".o_kanban_view .o_kanban_group:not(.o_column_folded) .o_order_flow_column_count:contains((2))",
        },
        {
            content: "…and their sum",
            trigger: ".o_kanban_view .o_kanban_group:not(.o_column_folded) .o_kanban_counter .o_animated_number",
        },
        {
            content: "Statuses without orders are folded",
            trigger: ".o_kanban_view .o_kanban_group.o_column_folded",
        },
        {
            content: "Both orders of the tour are on the board",
            trigger: ".o_kanban_record:contains(Тур Вчасний)",
        },
        {
            content: "Open the search options",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Choose the “Overdue” filter",
            trigger: ".o-dropdown--menu .o_menu_item:contains(Прострочено)",
            run: "click",
        },
        {
            content: "The filter is applied together with the open orders",
            trigger: ".o_searchview_facet:contains(Прострочено)",
        },
        {
            content: "Only the overdue order is left",
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:contains(Тур Вчасний))) .o_kanban_record:contains(Тур Прострочений)",
        },
    ],
});
