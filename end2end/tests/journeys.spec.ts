import { test, expect, signIn, hydrated, ADMIN, RM } from './fixtures';

test('a relationship manager signs in, switches language and signs out', async ({ page }) => {
  await signIn(page, RM);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('您好');
  await hydrated(page);

  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Hello');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // The choice is the user's own setting: it survives signing out and in again.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?notice=signed_out/);
  await signIn(page, RM);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Hello');

  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('您好');
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('status')).toContainText('您已安全退出');

  // Signed out means out: the home page sends us back to sign in.
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F/);
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('电子邮箱').fill(RM.email);
  await page.getByLabel('密码').fill('not-the-password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText('邮箱或密码不正确');
  await expect(page.getByLabel('电子邮箱')).toHaveValue(RM.email);
});

test('an administrator adds a staff member and sees field messages for bad input', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('navigation').getByRole('link', { name: '用户管理' }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await hydrated(page);

  const email = `new.rm.${Date.now()}@covenant.example`;
  await page.getByLabel('电子邮箱').fill(email);
  await page.getByLabel('姓名').fill('新客户经理');
  await page.getByLabel('部门').selectOption('finance');
  await page.getByLabel('初始密码').fill('Pudong-Tower-8812');
  await page.getByRole('button', { name: '添加员工' }).click();
  await expect(page.getByRole('status')).toContainText('已添加 新客户经理');
  await expect(page.getByRole('cell', { name: email })).toBeVisible();
  await hydrated(page);

  // Bad input is explained next to the field and nothing is added.
  await page.getByLabel('电子邮箱').fill('someone@intranet'); // the browser accepts it, we do not
  await page.getByLabel('姓名').fill('某人');
  await page.getByLabel('初始密码').fill('short');
  await page.getByRole('button', { name: '添加员工' }).click();
  await expect(page.getByText('请输入有效的电子邮箱地址')).toBeVisible();
  await expect(page.getByText('密码至少需要 12 个字符')).toBeVisible();
});

test('unknown pages answer 404 in the user language', async ({ page }) => {
  await signIn(page, RM);
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('页面不存在');
});
