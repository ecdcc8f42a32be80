import { registry } from "@web/core/registry";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";
import { KanbanHeader } from "@web/views/kanban/kanban_header";

/** A column header of the order pipeline: the number of orders next to the
 * status name, the sum of the orders (progress bar counter) below it. */
export class OrderFlowPipelineKanbanHeader extends KanbanHeader {
    static template = "crm_order_flow.PipelineKanbanHeader";
}

export class OrderFlowPipelineKanbanRenderer extends KanbanRenderer {
    static components = {
        ...KanbanRenderer.components,
        KanbanHeader: OrderFlowPipelineKanbanHeader,
    };
}

export const orderFlowPipelineKanbanView = {
    ...kanbanView,
    Renderer: OrderFlowPipelineKanbanRenderer,
};

registry.category("views").add("order_flow_pipeline_kanban", orderFlowPipelineKanbanView);
