import { test, expect, signIn, RM } from './fixtures';

async function fillInvestor(page: import('@playwright/test').Page, name: string, latin = 'Binhai New Energy Fund') {
  await page.getByLabel('名称', { exact: true }).fill(name);
  await page.getByLabel('英文/拉丁名称').fill(latin);
  await page.getByLabel('机构类型').selectOption('fund');
  await page.getByLabel('国家/地区代码（如 CN）').fill('CN');
  await page.getByLabel('行业', { exact: true }).selectOption('financial_services');
  await page.getByLabel('投资者', { exact: true }).check();
  await page.getByLabel('风险偏好').selectOption('balanced');
  await page.getByLabel('最低投资额').fill('5000万');
  await page.getByLabel('最高投资额').fill('2亿');
  await page.getByLabel('ESG 要求').selectOption('basic');
  await page.getByLabel('KYC 状态').selectOption('valid');
  await page.getByLabel('KYC 复核日期').fill('2027-06-30');
}

test('an rm creates an investor with a contact, is warned of a duplicate, and finds it by a Chinese term', async ({ page }) => {
  await signIn(page, RM);
  await page.getByRole('navigation').getByRole('link', { name: '客户' }).click();
  await page.getByRole('link', { name: '新建客户' }).click();
  await fillInvestor(page, '滨海新能源投资基金');
  await page.getByLabel('可再生能源').check();
  await page.getByLabel('联系人姓名').fill('赵磊');
  await page.getByLabel('电子邮箱').fill('zhao.lei@binhai.example');
  await page.getByLabel('电话').fill('+86 139 1234 5678');
  await page.getByRole('button', { name: '保存' }).click();

  await expect(page).toHaveURL(/\/clients\/\d+\?created=1$/);
  await expect(page.getByRole('status')).toContainText('客户已创建');
  await expect(page.locator('#contacts strong', { hasText: '赵磊' })).toBeVisible();
  await expect(page.getByText('稳健型')).toBeVisible();
  const clientUrl = new URL(page.url()).pathname;

  // The same client again: the form warns and links to the existing record.
  await page.goto('/clients/new');
  await fillInvestor(page, '滨海新能源投资基金有限公司');
  await page.getByRole('button', { name: '保存' }).click();
  const warning = page.getByRole('alert').filter({ hasText: '可能已有相同客户' });
  await expect(warning).toBeVisible();
  await expect(warning.getByRole('link')).toHaveAttribute('href', clientUrl);
  await expect(page.getByLabel('名称', { exact: true })).toHaveValue('滨海新能源投资基金有限公司');

  // Search by a Chinese term and by the contact's phone digits.
  await page.goto('/clients');
  await page.getByLabel('搜索').fill('滨海');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/q=%E6%BB%A8%E6%B5%B7/);
  await expect(page.getByRole('link', { name: '滨海新能源投资基金' })).toHaveAttribute('href', clientUrl);
  await page.getByLabel('搜索').fill('5678');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page.getByRole('link', { name: '滨海新能源投资基金' })).toBeVisible();

  // Log a meeting on the client's page and see it on the timeline.
  await page.goto(clientUrl);
  const log = page.locator('#log-interaction');
  await log.getByLabel('类型').selectOption('meeting');
  await log.getByLabel('赵磊').check();
  await log.getByLabel('内容摘要').fill('首次拜访：介绍海上风电二期的优先级档位');
  await log.getByRole('button', { name: '记录互动' }).click();
  await expect(page).toHaveURL(/\?logged=1#timeline$/);
  await expect(page.getByRole('status')).toContainText('互动已记录');
  const entry = page.locator('#timeline li').first();
  await expect(entry).toContainText('首次拜访：介绍海上风电二期的优先级档位');
  await expect(entry).toContainText('会议');
  await expect(entry).toContainText('赵磊');

  // Start a deal for the new investor: choose a project, then fill the deal.
  await page.locator('#deals').getByRole('link', { name: '新建交易' }).click();
  await page.locator('.pick-list a').first().click();
  await page.getByLabel('意向金额').fill('8000万');
  await page.getByLabel('阶段', { exact: true }).selectOption('interested');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/deals\/\d+\?created=1$/);
  await expect(page.getByText('CNY 8,000万')).toBeVisible();
  await page.goto(clientUrl);
  await expect(page.locator('#deals')).toContainText('有意向');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a client form with an error comes back with the input kept', async ({ page }) => {
    await signIn(page, RM);
    await page.goto('/clients/new');
    await fillInvestor(page, '无脚本测试客户', 'No Script Test Client');
    await page.getByLabel('国家/地区代码（如 CN）').fill('China');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByText('请输入两位国家/地区代码')).toBeVisible();
    await expect(page.getByLabel('名称', { exact: true })).toHaveValue('无脚本测试客户');
    await expect(page.getByLabel('最低投资额')).toHaveValue('5000万');

    await page.getByLabel('国家/地区代码（如 CN）').fill('CN');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page).toHaveURL(/\/clients\/\d+\?created=1$/);
  });
});
