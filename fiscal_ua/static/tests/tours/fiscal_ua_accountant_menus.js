import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The accountant walks her daily fiscal screens in the Ukrainian interface:
// every menu opens (no error dialog: the tour fails on one), lists show their
// rows or say in Ukrainian why they are empty, and each record opens.
// The test (fiscal_ua/tests/test_tour_accountant.py) has fiscalized one invoice
// of "Тур: Оксана Мельник" on the register "Тур: онлайн-каса" before.
const REGISTER = "Тур: онлайн-каса";
const CUSTOMER = "Тур: Оксана Мельник";

function openMenu(xmlid, parent) {
    const steps = [];
    if (parent) {
        steps.push({
            content: `Open the menu ${parent}`,
            trigger: `.o_main_navbar [data-menu-xmlid='${parent}']`,
            run: "click",
        });
    }
    steps.push({
        content: `Open ${xmlid}`,
        trigger: parent
            ? `.dropdown-item[data-menu-xmlid='${xmlid}']`
            : `.o_main_navbar [data-menu-xmlid='${xmlid}']`,
        run: "click",
    });
    return steps;
}

function breadcrumb(title) {
    return {
        content: `The screen is "${title}"`,
        trigger: `.o_breadcrumb .active:contains('${title}')`,
    };
}

registry.category("web_tour.tours").add("fiscal_ua_accountant_menus", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("fiscal_ua.menu_fiscal_root", "Open the Fiscal app"),
        // Receipts
        ...openMenu("fiscal_ua.menu_fiscal_receipts"),
        breadcrumb("Фіскальні чеки"),
        {
            content: "The issued receipt is listed, its type in Ukrainian",
            trigger: `.o_list_view .o_data_row:contains('${CUSTOMER}') td[name='display_name']:contains('Продаж ')`,
            run: "click",
        },
        {
            content: "The receipt opens with its fiscal number",
            trigger: ".o_form_view .o_field_widget[name='fiscal_code'] span:not(:empty)",
        },
        // Errors, Needs a person: nothing to do, and they say so in Ukrainian
        ...openMenu("fiscal_ua.menu_fiscal_receipts_errors"),
        {
            content: "No receipt in error",
            trigger: ".o_view_nocontent:contains('Чеків із помилками немає')",
        },
        ...openMenu("fiscal_ua.menu_fiscal_receipts_attention"),
        {
            content: "Nothing needs a person",
            trigger: ".o_view_nocontent:contains('Ніщо не потребує людини')",
        },
        // Shifts
        ...openMenu("fiscal_ua.menu_fiscal_shifts"),
        breadcrumb("Зміни"),
        {
            content: "The register's shift is listed",
            trigger: `.o_list_view .o_data_row:has(td[name='receipt_count']) td[name='register_id']:contains('${REGISTER}')`,
            run: "click",
        },
        {
            content: "The shift opens with its receipt",
            trigger: ".o_form_view button[name='action_view_receipts'] .o_stat_value:contains('1')",
        },
        // Configuration
        ...openMenu("fiscal_ua.menu_fiscal_registers", "fiscal_ua.menu_fiscal_config"),
        breadcrumb("Каси (ПРРО)"),
        {
            content: "The register is listed",
            trigger: `.o_list_view .o_data_row:has(td[name='license_key_set']) td[name='name']:contains('${REGISTER}')`,
            run: "click",
        },
        {
            content: "The register opens with its open shift",
            trigger: ".o_form_view .o_field_widget[name='current_shift_id'] a",
        },
        ...openMenu("fiscal_ua.menu_fiscal_cashiers", "fiscal_ua.menu_fiscal_config"),
        breadcrumb("Касири"),
        {
            content: "The cashier is listed",
            trigger: ".o_list_view .o_data_row:has(td[name='credentials_set']) td[name='name']:contains('Тур: касир')",
            run: "click",
        },
        {
            content: "The cashier opens; the credentials themselves are not shown",
            trigger:
                ".o_form_view:not(:has(.o_field_widget[name='password'])) .o_field_widget[name='credentials_set']",
        },
        ...openMenu("fiscal_ua.menu_fiscal_taxes", "fiscal_ua.menu_fiscal_config"),
        breadcrumb("Ставки податків"),
        {
            content: "The register's VAT-exempt rate is listed",
            trigger: `.o_list_view .o_data_row:contains('${REGISTER}'):contains('Без ПДВ')`,
        },
        ...openMenu("fiscal_ua.menu_fiscal_payment_forms", "fiscal_ua.menu_fiscal_config"),
        breadcrumb("Форми оплати"),
        {
            content: "The payment forms are listed",
            trigger: ".o_list_view .o_data_row td[name='name']:contains('Переказ з картки')",
            run: "click",
        },
        {
            content: "A payment form opens",
            trigger: ".o_form_view .o_field_widget[name='name']",
        },
        // The invoice
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        ...openMenu("account.menu_action_move_out_invoice_type", "account.menu_finance_receivables"),
        {
            content: "Open the fiscalized invoice",
            trigger: `.o_list_view .o_data_row:contains('${CUSTOMER}') td.o_data_cell`,
            run: "click",
        },
        {
            content: "The invoice says it is fiscalized, in Ukrainian",
            trigger:
                ".o_form_view button[name='action_view_fiscal_receipts']:contains('Фіскалізовано')",
        },
    ],
});
