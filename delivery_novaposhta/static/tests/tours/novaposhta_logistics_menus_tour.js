import { registry } from "@web/core/registry";

// Every Nova Poshta screen of the Logistics user opens from the menus without an error,
// in Ukrainian: the waybills, the waybills to check, the status mapping, the cities and
// the branches and parcel lockers.
const screens = [
    ["sale.sale_order_menu", "delivery_novaposhta.menu_np_waybills", "Накладні Нової Пошти"],
    ["delivery_novaposhta.menu_np_config", "delivery_novaposhta.menu_np_attention", "Накладні Нової Пошти на перевірку"],
    ["delivery_novaposhta.menu_np_config", "delivery_novaposhta.menu_np_status_map", "Відповідність статусів Нової Пошти"],
    ["delivery_novaposhta.menu_np_config", "delivery_novaposhta.menu_np_cities", "Міста Нової Пошти"],
    ["delivery_novaposhta.menu_np_config", "delivery_novaposhta.menu_np_warehouses", "Відділення та поштомати Нової Пошти"],
];

registry.category("web_tour.tours").add("novaposhta_logistics_menus", {
    steps: () =>
        screens.flatMap(([section, menu, title]) => [
            {
                content: `Open the menu ${section}`,
                trigger: `.o_main_navbar button[data-menu-xmlid='${section}']`,
                run: "click",
            },
            {
                content: `Open ${menu}`,
                trigger: `.dropdown-item[data-menu-xmlid='${menu}']`,
                run: "click",
            },
            {
                content: `${title}: the list or its empty-screen help is shown`,
                trigger: `.o_breadcrumb:contains('${title}'), .o_control_panel:contains('${title}')`,
            },
            {
                content: "The screen shows rows or says what to do",
                trigger: ".o_list_renderer, .o_view_nocontent",
            },
        ]),
});
