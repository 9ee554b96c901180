import { test, expect, signIn, ADMIN } from './fixtures';
import { simpleParser } from 'mailparser';
import * as fs from 'fs';
import * as path from 'path';

const MAIL_DIR = process.env.E2E_MAIL_DIR ?? '';
const ENTITY = process.env.E2E_INVESTOR_ENTITY ?? '';

// The invitation to `to`, read from the server's mail directory and decoded as a mail
// client would (never from the database or a debug route); waits for the mail job.
async function invitationLink(to: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const name of fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml'))) {
      const mail = await simpleParser(fs.readFileSync(path.join(MAIL_DIR, name)));
      const recipients = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
      if (recipients.some((r) => r.value.some((v) => v.address === to))) {
        expect(mail.subject).toBe('邀请您使用 Covenant 投资者门户');
        const link = (mail.text ?? '').split(/\s+/).find((w) => w.includes('/portal/invite/'));
        if (link) return link;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no invitation to ${to} in ${MAIL_DIR}`);
}

test('an invited investor follows the e-mailed link, acknowledges a disclosure, asks a question and reads the answer', async ({ page, browser }) => {
  expect(MAIL_DIR, 'E2E_MAIL_DIR').not.toBe('');
  expect(ENTITY, 'E2E_INVESTOR_ENTITY').not.toBe('');

  // Staff: a new contact of an investor client, invited to the portal.
  await signIn(page, ADMIN);
  await page.goto(`/clients?q=${encodeURIComponent(ENTITY)}`);
  await page.getByRole('link', { name: ENTITY, exact: true }).first().click();
  const email = `e2e.investor.${Date.now()}@fund.example`;
  const name = '门户测试联系人';
  await page.getByLabel('联系人姓名').fill(name);
  await page.getByLabel('电子邮箱').fill(email);
  await page.getByRole('button', { name: '添加联系人' }).click();
  await expect(page.getByRole('status').filter({ hasText: '联系人已添加' })).toBeVisible();
  await page.getByRole('button', { name: `发送邀请 ${name}` }).click();
  await expect(page.getByRole('status').filter({ hasText: '邀请已发送' })).toBeVisible();

  // The investor, in a browser of their own, opens the link from the e-mail.
  const link = await invitationLink(email);
  const investorContext = await browser.newContext({ locale: 'zh-CN' });
  const investor = await investorContext.newPage();
  await investor.goto(link);
  await expect(investor.getByRole('heading', { level: 1 })).toHaveText('设置密码');
  await investor.getByLabel('新密码', { exact: true }).fill('Lujiazui-Tower-6203');
  await investor.getByLabel('再次输入新密码').fill('Lujiazui-Tower-6203');
  await investor.getByRole('button', { name: '设置密码并登录' }).click();
  await expect(investor).toHaveURL(/\/portal\?notice=welcome$/);
  await expect(investor.locator('#acting-for')).toContainText(ENTITY);

  // A disclosure waits for acknowledgement; reading and acknowledging it clears it.
  const attention = investor.locator('#attention');
  await expect(attention).toBeVisible();
  const first = attention.getByRole('link').first();
  const title = (await first.textContent()) ?? '';
  await first.click();
  await expect(investor.getByRole('heading', { level: 1 })).toHaveText(title);
  await investor.getByRole('button', { name: '我已阅读并理解' }).click();
  await expect(investor.getByRole('status').filter({ hasText: '已记录您的确认' })).toBeVisible();
  await expect(investor.locator('#acknowledgement')).toContainText('您已于');
  await investor.goto('/portal');
  await expect(investor.locator('#attention').getByRole('link', { name: title, exact: true })).toHaveCount(0);

  // Staff share a document with the project's investors; the investor downloads it, and
  // staff see the download counted.
  await investor.getByRole('navigation').getByRole('link', { name: '项目' }).click();
  await investor.locator('main ul a[href^="/portal/projects/"]').first().click();
  const projectId = new URL(investor.url()).pathname.split('/').pop();
  const docTitle = `运营报告 ${Date.now()}`;
  await page.goto(`/projects/${projectId}`);
  await page.locator('#documents summary').click();
  const docs = page.locator('#documents');
  await docs.getByLabel('标题', { exact: true }).fill(docTitle);
  await docs.getByLabel('共享对象').selectOption('project');
  await docs.getByLabel('文件', { exact: true }).setInputFiles({
    name: '运营报告.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4 Covenant e2e report'),
  });
  await docs.getByRole('button', { name: '上传文件' }).click();
  await expect(page.getByRole('status').filter({ hasText: '文件已上传' })).toBeVisible();
  await investor.reload();
  const downloading = investor.waitForEvent('download');
  await investor.getByRole('link', { name: `下载 ${docTitle}` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('运营报告.pdf');
  expect(fs.readFileSync(await download.path(), 'utf8')).toBe('%PDF-1.4 Covenant e2e report');
  await page.reload();
  await expect(page.locator('#documents tr').filter({ hasText: docTitle })).toContainText('下载 1 次');

  // Staff see the acknowledgement and the download on the investor's engagement page, and
  // look at the portal as they see it.
  await page.goto(`/clients?q=${encodeURIComponent(ENTITY)}`);
  await page.getByRole('link', { name: ENTITY, exact: true }).first().click();
  await page.getByRole('link', { name: `互动与预览 ${name}` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
  await expect(page.locator('#events')).toContainText(docTitle);
  await expect(page.locator('#events')).toContainText(title);
  await page.getByRole('link', { name: '以投资者身份查看' }).click();
  await expect(page.locator('#preview-banner')).toBeVisible();
  await expect(page.locator('#acting-for')).toContainText(ENTITY);

  // The investor asks a question; staff answer it from the queue; the investor sees the
  // answer and the badge that announced it.
  const subject = `首次分配时间 ${Date.now()}`;
  await investor.getByRole('navigation').getByRole('link', { name: '提问' }).click();
  await investor.getByLabel('主题').fill(subject);
  await investor.getByLabel('内容').fill('请问项目的首次分配预计在什么时候？');
  await investor.getByRole('button', { name: '发送', exact: true }).click();
  await expect(investor.getByRole('heading', { level: 1 })).toHaveText(subject);
  await expect(investor.getByRole('status').filter({ hasText: '问题已发送' })).toBeVisible();

  await page.goto('/questions');
  await page.getByRole('link', { name: subject }).click();
  await page.getByLabel('回复').fill('预计在明年第二季度完成首次分配。');
  await page.getByRole('button', { name: '发送回复' }).click();
  await expect(page.getByRole('status').filter({ hasText: '回复已发送' })).toBeVisible();

  await investor.goto('/portal');
  await investor.locator('#answers-badge').click();
  await expect(investor).toHaveURL(/\/portal\/questions$/);
  await investor.getByRole('link', { name: subject }).click();
  await expect(investor.getByText('预计在明年第二季度完成首次分配。')).toBeVisible();
  await investor.goto('/portal');
  await expect(investor.locator('#answers-badge')).toHaveCount(0);

  // The link is spent: opened again, it says so.
  await investor.goto(link);
  await expect(investor.getByRole('alert')).toContainText('此链接已使用过');

  // A portal session opens no staff page.
  await investor.goto('/clients');
  await expect(investor).toHaveURL(/\/login\?next=%2Fclients/);
  await investorContext.close();
});
