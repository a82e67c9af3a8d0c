import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { routeOperations } from '../../shared/router';
import * as notification from './notification/Notification.resource';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await routeOperations.call(
		this,
		{
			notification: {
				getUndeliverable: notification.getUndeliverable.execute,
				sendTest: notification.sendTest.execute,
			},
		},
		{
			destructiveReads: {
				notification: { getUndeliverable: notification.getUndeliverable.drainErrorItem },
			},
		},
	);
}
