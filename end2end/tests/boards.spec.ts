import { test, expect, signIn, hydrated, ADMIN, RM } from './fixtures';

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

/// Drags `source` onto `target` with the mouse in small steps, as a hand does: the drag
/// starts next to where the button went down, whatever lies between the two.
async function drag(page: import('@playwright/test').Page, source: import('@playwright/test').Locator, target: import('@playwright/test').Locator) {
  await target.scrollIntoViewIfNeeded();
  await source.scrollIntoViewIfNeeded();
  const from = await source.boundingBox();
  const to = await target.boundingBox();
  if (!from || !to) throw new Error('drag: source or target not on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + 12);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 8, from.y + 16, { steps: 2 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
  await page.mouse.up();
}

const count = (page: import('@playwright/test').Page, stage: string) =>
  page.locator(`[data-stage="${stage}"] [data-count]`).innerText().then((t) => parseInt(t.replace(/\D/g, ''), 10));

test('a card dragged with the mouse moves in place, and the column totals follow', async ({ page }) => {
  await signIn(page, RM);
  const id = await newBorrower(page, '拖拽看板客户');
  await page.goto('/lifecycle');
  await hydrated(page);
  const before = { acquisition: await count(page, 'acquisition'), development: await count(page, 'development') };
  await page.locator(`#card-${id}`).dragTo(page.locator('[data-stage="development"]'));
  await expect(page.locator('[data-stage="development"]').locator(`#card-${id}`)).toBeVisible();
  await expect(page.locator('#board-live')).toContainText('已移动：拖拽看板客户');
  expect(await count(page, 'development')).toBe(before.development + 1);
  expect(await count(page, 'acquisition')).toBe(before.acquisition - 1);
  expect(page.url(), 'no page load').not.toContain('moved=');

  // Dropping on decline asks for the reason in the card's own form; with it, the card moves.
  await page.locator(`#card-${id}`).dragTo(page.locator('[data-stage="decline"]'));
  await expect(page.locator(`#move-${id}-reason`)).toBeFocused();
  await expect(page.locator('#board-live')).toContainText('需填写原因');
  await page.locator(`#move-${id}-reason`).fill('融资计划搁置');
  await page.locator(`#move-${id}-reason`).press('Enter');
  await expect(page.locator('[data-stage="decline"]').locator(`#card-${id}`)).toBeVisible();
  expect(await count(page, 'development')).toBe(before.development);

  // The history on the client's page has both moves, with the reason.
  await page.goto(`/clients/${id}`);
  await expect(page.getByRole('list', { name: '生命周期记录' })).toContainText('融资计划搁置');
});

test('a card moves with the keyboard alone, and focus stays on the card', async ({ page }) => {
  await signIn(page, RM);
  const id = await newBorrower(page, '键盘看板客户');
  await page.goto('/lifecycle');
  await hydrated(page);
  await page.locator(`#card-${id} summary`).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.locator(`#move-${id}-to`)).toBeFocused();
  await page.locator(`#move-${id}-to`).selectOption('development');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator('#board-live')).toContainText('已移动');
  await expect(page.locator('[data-stage="development"]').locator(`#card-${id}`)).toBeVisible();
  await expect(page.locator(`#card-${id} summary`)).toBeFocused();
  // The card's own stage is no longer a choice; the one it left is.
  await expect(page.locator(`#move-${id}-to option[value="development"]`)).toBeDisabled();
  await expect(page.locator(`#move-${id}-to option[value="acquisition"]`)).toBeEnabled();
});

test('two people move the same card: the second sees the conflict and the real column', async ({ browser }) => {
  const first = await (await browser.newContext()).newPage();
  const second = await (await browser.newContext()).newPage();
  await signIn(first, RM);
  await signIn(second, RM);
  const id = await newBorrower(first, '并发看板客户');
  for (const page of [first, second]) {
    await page.goto('/lifecycle');
    await hydrated(page);
  }
  for (const [page, stage] of [[first, 'development'], [second, 'maturity']] as const) {
    await page.locator(`#card-${id} summary`).click();
    await page.locator(`#move-${id}-to`).selectOption(stage);
  }
  await first.locator(`#move-${id}`).getByRole('button', { name: '确认移动' }).click();
  await expect(first.locator('#board-live')).toContainText('已移动');
  await second.locator(`#move-${id}`).getByRole('button', { name: '确认移动' }).click();
  await expect(second.getByRole('alert')).toContainText('已被他人移动或修改');
  await expect(second.locator('[data-stage="development"]').locator(`#card-${id}`)).toBeVisible();
  await expect(second.locator('[data-stage="acquisition"]').locator(`#card-${id}`)).toHaveCount(0);
});

test('a deal dragged on the pipeline board moves in place, and the sums follow', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await signIn(page, ADMIN);
  await page.goto('/pipeline?owner=all');
  await hydrated(page);
  const card = page.locator('[data-stage="prospect"] .board-card[draggable="true"]').first();
  const id = await card.getAttribute('data-id');
  const before = { prospect: await count(page, 'prospect'), contacted: await count(page, 'contacted') };
  const sumBefore = await page.locator('[data-stage="contacted"] [data-total]').innerText();
  // Dropped on the column's head: a long column's middle lies below the fold.
  await drag(page, card, page.locator('[data-stage="contacted"] header'));
  await expect(page.locator('[data-stage="contacted"]').locator(`#card-${id}`)).toBeVisible();
  await expect(page.locator('#board-live')).toContainText('已移动');
  expect(await count(page, 'contacted')).toBe(before.contacted + 1);
  expect(await count(page, 'prospect')).toBe(before.prospect - 1);
  await expect(page.locator('[data-stage="contacted"] [data-total]')).not.toHaveText(sumBefore);
  expect(page.url(), 'no page load').not.toContain('moved=');

  // Declining asks for a reason first (a committed deal, two columns from the declined one).
  const committed = page.locator('[data-stage="committed"] .board-card[draggable="true"]').first();
  const other = await committed.getAttribute('data-id');
  const committedBefore = await count(page, 'committed');
  await drag(page, committed, page.locator('[data-stage="declined"] header'));
  await expect(page.locator(`#move-${other}-reason`)).toBeFocused();
  await expect(page.locator('#board-live')).toContainText('放弃交易需填写原因');
  await page.locator(`#move-${other}-reason`).fill('项目延期');
  await page.locator(`#move-${other}-reason`).press('Enter');
  await expect(page.locator('[data-stage="declined"]').locator(`#card-${other}`)).toBeVisible();
  expect(await count(page, 'committed')).toBe(committedBefore - 1);
});
