import AxeBuilder from '@axe-core/playwright';
import { test, expect, signIn, ADMIN } from './fixtures';
import { simpleParser } from 'mailparser';
import * as fs from 'fs';
import * as path from 'path';

const MAIL_DIR = process.env.E2E_MAIL_DIR ?? '';

test.describe.configure({ timeout: 120_000 });

// The first survey link in a mail whose subject names `title`, read from the server's mail
// directory and decoded as a mail client would; waits for the mail job.
async function surveyLink(title: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const name of fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml'))) {
      const mail = await simpleParser(fs.readFileSync(path.join(MAIL_DIR, name)));
      if ((mail.subject ?? '').includes(title)) {
        const link = (mail.text ?? '')
          .split(/\s+/)
          .find((w) => w.includes('/s/') && !w.endsWith('/unsubscribe'));
        if (link) return link;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no survey mail about ${title} in ${MAIL_DIR}`);
}

async function seriousViolations(page: import('@playwright/test').Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('staff build and send a survey; a respondent answers on a phone without JavaScript; the poor answer opens a complaint, whose resolution sends a follow-up', async ({ page, browser }) => {
  expect(MAIL_DIR, 'E2E_MAIL_DIR').not.toBe('');
  const title = `浏览器测试调查 ${Date.now()}`;

  // Staff: a new survey with an NPS and a comment question, previewed, opened and sent to
  // every investor contact.
  await signIn(page, ADMIN);
  await page.goto('/surveys');
  await page.getByLabel('标题（中文）').fill(title);
  await page.getByLabel('标题（英文）').fill('Browser test survey');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status')).toContainText('调查已创建');
  await page.getByLabel('题型').selectOption('nps');
  await page.getByLabel('问题（中文）').fill('您向同行推荐我们的可能性有多大？');
  await page.getByLabel('问题（英文）').fill('How likely are you to recommend us?');
  await page.getByRole('button', { name: '添加问题' }).click();
  await expect(page.getByRole('status')).toContainText('问题已保存');
  await page.getByLabel('题型').selectOption('text');
  await page.getByLabel('问题（中文）').fill('您的意见');
  await page.getByLabel('问题（英文）').fill('Your comments');
  await page.getByLabel('必答').uncheck();
  await page.getByRole('button', { name: '添加问题' }).click();
  expect(await seriousViolations(page)).toEqual([]);
  const surveyUrl = page.url().split('?')[0].split('#')[0];
  await page.goto(`${surveyUrl}/preview`);
  await expect(page.getByRole('group', { name: /您向同行推荐我们的可能性有多大/ })).toBeVisible();
  await expect(page.getByRole('button', { name: '提交' })).toBeDisabled();
  await page.goto(surveyUrl);
  await page.getByRole('button', { name: '开放调查' }).click();
  await expect(page.getByRole('status')).toContainText('调查状态已更新');
  await page.getByLabel('发送对象').selectOption('investors');
  await page.getByRole('button', { name: '发送新一轮' }).click();
  await expect(page.getByRole('status')).toContainText(/已向 \d+ 位联系人发送/);

  // The respondent: the link from the mail, on a phone, with JavaScript off.
  const link = await surveyLink(title);
  // axe needs scripts in the page, so it checks the answer page here (opening a link
  // records nothing); the respondent below has JavaScript off.
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  expect(await seriousViolations(page)).toEqual([]);
  const phone = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const respondent = await phone.newPage();
  await respondent.goto(link);
  await expect(respondent.getByRole('heading', { level: 1 })).toHaveText(title);
  const overflow = await respondent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'the answer page is wider than the phone').toBeLessThanOrEqual(0);
  // Sending without the required answer shows what is missing.
  await respondent.getByRole('button', { name: '提交' }).click();
  await expect(respondent.getByRole('alert')).toContainText('部分回答需要修改');
  await expect(respondent.getByText('请回答此问题。')).toBeVisible();
  await respondent.getByLabel('2', { exact: true }).check();
  await respondent.getByLabel('您的意见').fill('季度报告总是晚两周');
  await respondent.getByRole('button', { name: '提交' }).click();
  await expect(respondent.getByRole('heading', { level: 1 })).toHaveText('感谢您的反馈');
  // The same link again: already answered.
  await respondent.goto(link);
  await expect(respondent.getByRole('heading', { level: 1 })).toHaveText('您已回答过此调查');
  await phone.close();

  // Staff: the result, and the complaint the detractor's answer opened.
  await page.goto(`${surveyUrl}/results`);
  await expect(page.locator('#response-rate')).toContainText('1');
  await expect(page.getByText(/NPS -100/).first()).toBeVisible();
  await expect(page.getByText('季度报告总是晚两周').first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/complaints');
  const opened = page.locator('.feed li').filter({ hasText: '您向同行推荐我们的可能性有多大？: 2' }).first();
  await expect(opened).toBeVisible();

  // Resolving it sends the same contact a short follow-up survey.
  await opened.getByRole('link').first().click();
  await expect(page.getByText('季度报告总是晚两周')).toBeVisible();
  await page.getByRole('textbox', { name: '内容', exact: true }).fill('报告流程已调整，今后在季度结束后十个工作日内发送。');
  await page.getByLabel('新状态').selectOption('resolved');
  await page.getByRole('button', { name: '提交', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('已提交');
  const followUp = await surveyLink('投诉处理回访');
  const again = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
  const customer = await again.newPage();
  await customer.goto(followUp);
  await expect(customer.getByRole('heading', { level: 1 })).toHaveText('投诉处理回访');
  await customer.getByLabel('9', { exact: true }).check();
  await customer.getByRole('button', { name: '提交' }).click();
  await expect(customer.getByRole('heading', { level: 1 })).toHaveText('感谢您的反馈');
  await again.close();
  await page.goto('/complaints/dashboard');
  await expect(page.locator('#recovery')).toContainText('100%');
});
