import { startSandbox, type Sandbox } from '../../dev/sandbox';
import { subjectOf } from '../../dev/sandbox/smtp';
import { smtpConversation } from '../helpers/smtpClient';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 0 });
});
afterAll(async () => await sb.close());

describe('SMTP catcher', () => {
	it('accepts a message and records envelope, subject and text', async () => {
		const replies = await smtpConversation(sb.smtpPort, [
			'EHLO test',
			'MAIL FROM:<ops@example.com>',
			'RCPT TO:<traveller@example.com>',
			'DATA',
			'Subject: Your hotel\r\n =?utf-8?Q?booking?= was cancelled\r\n\r\nSorry.\r\n..leading dot\r\n.',
			'QUIT',
		]);
		expect(replies.map((r) => r.slice(0, 3))).toEqual([
			'220',
			'250',
			'250',
			'250',
			'354',
			'250',
			'221',
		]);
		expect(sb.caught).toEqual([
			{
				name: 'email',
				at: expect.any(Number),
				body: {
					from: 'ops@example.com',
					to: ['traveller@example.com'],
					subject: 'Your hotel =?utf-8?Q?booking?= was cancelled',
					raw: expect.stringContaining('\r\n.leading dot'),
				},
			},
		]);
	});

	it('refuses commands it does not implement', async () => {
		const replies = await smtpConversation(sb.smtpPort, ['STARTTLS']);
		expect(replies[1]).toMatch(/^502/);
	});

	it('reads the subject only from the headers', () => {
		expect(subjectOf('From: a\r\n\r\nSubject: body line')).toBeUndefined();
	});
});
