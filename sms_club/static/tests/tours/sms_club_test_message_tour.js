import { registry } from "@web/core/registry";

// Settings › SMS Club › "Send a test message": the button opens a small form
// (number and text) and SMS Club's answer is shown once sent.
registry.category("web_tour.tours").add("sms_club_test_message", {
    url: "/odoo/settings",
    steps: () => [
        {
            content: "Open the Sales settings",
            trigger: ".settings_tab .tab[data-key='sale_management']",
            run: "click",
        },
        {
            content: "Open the test message form from the SMS Club settings",
            trigger: "button[name='action_smsclub_open_test']",
            run: "click",
        },
        {
            content: "Type a staff phone number",
            trigger: ".modal div[name='number'] input",
            run: "edit 050 111 22 33",
        },
        {
            content: "Send it",
            trigger: ".modal button[name='action_send']",
            run: "click",
        },
        {
            content: "SMS Club accepted it: the answer is shown",
            trigger: ".o_notification:has(.bg-success):contains('380501112233')",
        },
        {
            content: "The form is closed",
            trigger: "body:not(:has(.modal)) button[name='action_smsclub_open_test']",
        },
    ],
});
