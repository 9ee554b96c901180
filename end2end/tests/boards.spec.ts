import { test, expect, signIn, hydrated, RM } from './fixtures';

async function newBorrower(page: import('@playwright/test').Page, name: string) {
  await page.goto('/clients/new');
  await page.getByLabel('名称', { exact: true }).fill(name);
  await page.getByLabel('机构类型').selectOption('corporate');
  await page.getByLabel('国家/地区代码（如 CN）').fill('CN');
  await page.getByLabel('行业', { exact: true }).selectOption('energy');
  await page.getByLabel('借款人', { exact: true }).check();
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page).toHaveURL(/\/clients\/\d+\?created=1$/);
  return new URL(page.url()).pathname.split('/').pop();
}

const count = (page: import('@playwright/test').Page, stage: string) =>
  page.locator(`[data-stage="${stage}"] [data-count]`).innerText().then((t) => parseInt(t.replace(/\D/g, ''), 10));

test('a card dragged with the mouse moves, and the column totals follow', async ({ page }) => {
  await signIn(page, RM);
  const id = await newBorrower(page, '拖拽看板客户');
  await page.goto('/lifecycle');
  await hydrated(page);
  const before = await count(page, 'development');
  await page.locator(`#card-${id}`).dragTo(page.locator('[data-stage="development"]'));
  await expect(page).toHaveURL(new RegExp(`moved=${id}`));
  await expect(page.locator('[data-stage="development"]').locator(`#card-${id}`)).toBeVisible();
  expect(await count(page, 'development')).toBe(before + 1);

  // Dropping on decline asks for the reason in the card's own form.
  await page.locator(`#card-${id}`).dragTo(page.locator('[data-stage="decline"]'));
  await expect(page.locator(`#move-${id}-reason`)).toBeFocused();
  await expect(page.locator('#board-live')).toContainText('需填写原因');
});

test('a card moves with the keyboard alone', async ({ page }) => {
  await signIn(page, RM);
  const id = await newBorrower(page, '键盘看板客户');
  await page.goto('/lifecycle');
  await page.locator(`#card-${id} summary`).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.locator(`#move-${id}-to`)).toBeFocused();
  await page.locator(`#move-${id}-to`).selectOption('development');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').first()).toContainText('已移动');
  await expect(page.locator('[data-stage="development"]').locator(`#card-${id}`)).toBeVisible();
});

test('two people move the same card: the second sees the conflict and the real column', async ({ browser }) => {
  const first = await (await browser.newContext()).newPage();
  const second = await (await browser.newContext()).newPage();
  await signIn(first, RM);
  await signIn(second, RM);
  const id = await newBorrower(first, '并发看板客户');
  await first.goto('/lifecycle');
  await second.goto('/lifecycle');
  for (const [page, stage] of [[first, 'development'], [second, 'maturity']] as const) {
    await page.locator(`#card-${id} summary`).click();
    await page.locator(`#move-${id}-to`).selectOption(stage);
  }
  await first.locator(`#move-${id}`).getByRole('button', { name: '确认移动' }).click();
  await expect(first.getByRole('status').first()).toContainText('已移动');
  await second.locator(`#move-${id}`).getByRole('button', { name: '确认移动' }).click();
  await expect(second.getByRole('alert')).toContainText('已被他人移动或修改');
  await expect(second.locator('[data-stage="development"]').locator(`#card-${id}`)).toBeVisible();
});
