import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { routeOperations } from '../../shared/router';
import * as incident from './incident/Incident.resource';
import * as order from './order/Order.resource';
import * as webhook from './webhook/Webhook.resource';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations.call(this, {
		incident: { getMany: incident.getMany.execute },
		order: { get: order.get.execute },
		webhook: { register: webhook.register.execute },
	});
}
