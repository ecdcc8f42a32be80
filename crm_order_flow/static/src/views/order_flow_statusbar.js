import { registry } from "@web/core/registry";
import { StatusBarField, statusBarField } from "@web/views/fields/statusbar/statusbar_field";

/**
 * The order status bar: a click saves the order with the new status. When
 * the server refuses the move (status matrix, role, validations), the form
 * shows the order's true status at once instead of the refused one (read
 * again from the server when the person had no other unsaved edits).
 */
export class OrderFlowStatusBarField extends StatusBarField {
    async selectItem(item) {
        const { name, record } = this.props;
        const previous = record.data[name];
        const hadOtherChanges = record.dirty;
        try {
            await super.selectItem(item);
        } catch (error) {
            if (hadOtherChanges) {
                // keep the person's other unsaved edits, drop the refused status
                await record.update({ [name]: previous });
            } else {
                // read the order again: the status it really has, as saved
                await record.load();
            }
            throw error;
        }
    }
}

export const orderFlowStatusBarField = {
    ...statusBarField,
    component: OrderFlowStatusBarField,
};

registry.category("fields").add("order_flow_statusbar", orderFlowStatusBarField);
