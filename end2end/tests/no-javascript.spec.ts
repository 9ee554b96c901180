import { test, expect, RM, INVESTOR, signInPortal } from './fixtures';

test.use({ javaScriptEnabled: false });

test('sign-in works with JavaScript disabled', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('电子邮箱').fill(RM.email);
  await page.getByLabel('密码').fill('wrong-password-here');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText('邮箱或密码不正确');

  await page.getByLabel('密码').fill(RM.password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('您好');

  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/login\?notice=signed_out/);
});

test('a lifecycle card moves with the plain form, and a decline asks for a reason', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('电子邮箱').fill(RM.email);
  await page.getByLabel('密码').fill(RM.password);
  await page.getByRole('button', { name: '登录' }).click();
  // The browser-test manager owns no seeded clients: look at everyone's board as a viewer
  // would, then at the first card this manager may move (their own, made here).
  await page.goto('/clients/new');
  await page.getByLabel('名称', { exact: true }).fill('无脚本看板客户');
  await page.getByLabel('机构类型').selectOption('corporate');
  await page.getByLabel('国家/地区代码（如 CN）').fill('CN');
  await page.getByLabel('行业', { exact: true }).selectOption('energy');
  await page.getByLabel('借款人', { exact: true }).check();
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/clients\/\d+\?created=1$/);
  const id = new URL(page.url()).pathname.split('/').pop();

  await page.goto('/lifecycle');
  const card = page.locator(`#card-${id}`);
  await expect(card).toBeVisible();
  await card.locator('summary').click();
  await card.getByLabel('移至', { exact: true }).selectOption('decline');
  await card.getByRole('button', { name: '确认移动' }).click();
  await expect(page.getByRole('alert')).toContainText('移至衰退或流失需填写原因');

  const again = page.locator(`#card-${id}`);
  await again.locator('summary').click();
  await again.getByLabel('移至', { exact: true }).selectOption('development');
  await again.getByRole('button', { name: '确认移动' }).click();
  await expect(page.getByRole('status').first()).toContainText('已移动');
  await expect(page.locator('[data-stage="development"]').locator(`#card-${id}`)).toBeVisible();
});

test('an investor acknowledges a disclosure and asks a question with JavaScript disabled', async ({ page }) => {
  await signInPortal(page, INVESTOR);
  const waiting = page.locator('#attention a[href^="/portal/updates/"]');
  const before = await waiting.count();
  expect(before, 'the demo investor has disclosures to acknowledge').toBeGreaterThan(0);
  await waiting.first().click();
  await page.getByRole('button', { name: '我已阅读并理解' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已记录您的确认' })).toBeVisible();
  await page.goto('/portal');
  await expect(page.locator('#attention a[href^="/portal/updates/"]')).toHaveCount(before - 1);

  // A question with a blank subject (spaces pass the browser's check, not ours) comes back
  // with the message and the text kept.
  await page.goto('/portal/questions');
  await page.getByLabel('主题').fill('   ');
  await page.getByLabel('内容').fill('请提供最新的现金流预测。');
  await page.getByRole('button', { name: '发送', exact: true }).click();
  await expect(page.getByText('此项为必填。')).toBeVisible();
  await expect(page.getByLabel('内容')).toHaveValue('请提供最新的现金流预测。');
  await page.getByLabel('主题').fill('现金流预测');
  await page.getByRole('button', { name: '发送', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('现金流预测');
});
