import { registry } from "@web/core/registry";

// The Administrator's screens in the Ukrainian interface. Every tour ends
// without any dialog open (an error, or a dialog without a title, which the
// web client would title "Odoo").
const noDialog = {
    content: "No dialog is open",
    trigger: "body:not(:has(.modal))",
};

// My role › Access matrix: the live matrix, grouped by role, in Ukrainian;
// its XLSX and CSV exports start from the list's buttons.
registry.category("web_tour.tours").add("suite_administrator_matrix", {
    steps: () => [
        {
            content: "The matrix is grouped by role",
            trigger: ".o_list_view .o_group_header",
        },
        {
            content: "Its columns are in Ukrainian",
            trigger: ".o_list_view th[data-name='rules']:contains('Правила записів')",
        },
        {
            content: "Open the Logistics role",
            trigger: ".o_group_header:contains('Логіст')",
            run: "click",
        },
        {
            content: "Its record rules by their Ukrainian names",
            trigger: ".o_data_row td[name='rules']:contains('Лише підтверджені замовлення')",
        },
        {
            content: "Export the matrix as XLSX",
            trigger: ".o_control_panel button[name='action_export_xlsx']",
            run: "click",
        },
        {
            content: "Export the matrix as CSV",
            trigger: ".o_control_panel button[name='action_export_csv']",
            run: "click",
        },
        noDialog,
    ],
});

// Sales › Configuration › Order flow › Trigger map: what each status starts.
registry.category("web_tour.tours").add("suite_administrator_trigger_map", {
    steps: () => [
        {
            content: "The trigger map is grouped by status",
            trigger: ".o_list_view .o_group_header",
        },
        {
            content: "Open the first status",
            trigger: ".o_list_view .o_group_header:first",
            run: "click",
        },
        {
            content: "Its automation rules are listed",
            trigger: ".o_list_view .o_data_row",
        },
        noDialog,
    ],
});

// Sales › Configuration › Order flow › Statuses and matrix: a status and the
// statuses that may follow it.
registry.category("web_tour.tours").add("suite_administrator_statuses", {
    steps: () => [
        {
            content: "The statuses are grouped by status group",
            trigger: ".o_list_view .o_group_header:contains('Новий')",
            run: "click",
        },
        {
            content: "Open a status",
            trigger: ".o_list_view .o_data_row td[name='name']",
            run: "click",
        },
        {
            content: "The status matrix: the statuses that may follow",
            trigger: ".o_form_view div[name='next_stage_ids'] .o_tag, .o_form_view div[name='next_stage_ids'] .o_data_row",
        },
        noDialog,
    ],
});

// A connector's record: its connection test answers with a notification.
registry.category("web_tour.tours").add("suite_administrator_connection_test", {
    steps: () => [
        {
            content: "Test the connection",
            trigger: ".o_form_view button[name='action_test_connection'], .o_form_view button[name='action_check_connection']",
            run: "click",
        },
        {
            content: "The vendor accepted it",
            trigger: ".o_notification:has(.bg-success)",
        },
        noDialog,
    ],
});

// Settings › Sales › SMS Club: the balance is read from SMS Club.
registry.category("web_tour.tours").add("suite_administrator_sms_balance", {
    steps: () => [
        {
            content: "Open the Sales settings",
            trigger: ".settings_tab .tab[data-key='sale_management']",
            run: "click",
        },
        {
            content: "Check the SMS Club balance now",
            trigger: "button[name='action_smsclub_refresh_balance']",
            run: "click",
        },
        {
            content: "The balance SMS Club gave is shown",
            trigger: "div[name='smsclub_balance']:contains('321')",
        },
        noDialog,
    ],
});
