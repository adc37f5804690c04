import { maskSecrets } from '@aviary/observability';
import nodemailer, { type Transporter } from 'nodemailer';
import { networkOutcome, type SendOutcome } from '../../delivery/retry-policy.js';
import { escapeHtml } from '../../templates/templates.js';
import { type RenderedMessage } from '../message.js';

/** Plain text and HTML of a notification e-mail. */
export function emailBodies(message: RenderedMessage): { text: string; html: string } {
  const url = message.view.url;
  const text = `${message.title}\n\n${message.body ? `${message.body}\n\n` : ''}${url}\n`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(message.title)}</h2>`,
    message.body ? `<p>${escapeHtml(message.body).replace(/\n/g, '<br>')}</p>` : '',
    `<p><a href="${escapeHtml(url)}">Open the execution in Aviary</a></p>`,
    '</body></html>',
  ].join('');
  return { text, html };
}

/** E-mail over SMTP through a pooled nodemailer transport. */
export class EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs: number,
  ) {
    const url = new URL(smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 4,
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
        : {}),
      // ?tls=off for a local relay without STARTTLS; otherwise STARTTLS when the server offers it.
      ...(url.searchParams.get('tls') === 'off' ? { ignoreTLS: true } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  /** The Message-ID is the delivery id: the same on every attempt, so a repeat is recognisable. */
  async send(deliveryId: string, to: string[], message: RenderedMessage): Promise<SendOutcome> {
    const { text, html } = emailBodies(message);
    try {
      await this.transport.sendMail({
        from: this.from,
        to,
        subject: maskSecrets(message.title),
        text: maskSecrets(text),
        html: maskSecrets(html),
        messageId: `<${deliveryId}@aviary.notifier>`,
        headers: { 'X-Aviary-Execution': message.view.executionId },
      });
      return { ok: true, retryable: false, statusCode: 250 };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      if (typeof code === 'number')
        // 4xx replies are transient by SMTP's own definition; 5xx are permanent.
        return {
          ok: false,
          retryable: code < 500,
          statusCode: code,
          error: maskSecrets((error as Error).message),
        };
      return networkOutcome(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}
