import { test, expect, RM } from './fixtures';

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
