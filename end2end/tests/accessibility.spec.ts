import AxeBuilder from '@axe-core/playwright';
import { test, expect, signIn, signInPortal, hydrated, ADMIN, INVESTOR } from './fixtures';

// An axe run over a full board page takes several seconds on a slow CI
// machine, so these page-by-page checks get more time than a journey.
test.describe.configure({ timeout: 90_000 });

async function seriousViolations(page: import('@playwright/test').Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('the sign-in page has no serious accessibility violations', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  expect(await seriousViolations(page)).toEqual([]);
});

test('the home and users pages have no serious accessibility violations', async ({ page }) => {
  await signIn(page, ADMIN);
  await hydrated(page);
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/admin/users');
  await hydrated(page);
  expect(await seriousViolations(page)).toEqual([]);
});

test('the client list and client form have no serious accessibility violations', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/clients');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/clients/new');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/projects');
  expect(await seriousViolations(page)).toEqual([]);
  // A seeded project's page, with its tranches and the add-tranche form.
  await page.locator('table a[href^="/projects/"]').first().click();
  await expect(page.getByRole('heading', { name: '分层', exact: true })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('deal and timeline pages have no serious accessibility violations', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/deals');
  expect(await seriousViolations(page)).toEqual([]);
  await page.locator('table a[href^="/deals/"]').first().click();
  await expect(page.getByRole('heading', { name: '阶段记录' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('link', { name: '编辑交易' }).click();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/clients?kind=investor');
  await page.locator('table a[href^="/clients/"]').first().click();
  await expect(page.getByRole('heading', { name: '记录互动' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/deals/new');
  expect(await seriousViolations(page)).toEqual([]);
});

test('the boards and the complaint pages have no serious accessibility violations', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/lifecycle?owner=all');
  await expect(page.locator('.board-card').first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/pipeline?owner=all');
  await expect(page.locator('.board-card').first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/lifecycle/at-risk');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/complaints');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/complaints/dashboard');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('投诉看板');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/complaints/targets');
  await expect(page.getByLabel('首次回复（小时）').first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the engagement page and the portal preview have no serious accessibility violations', async ({ page }) => {
  const entity = process.env.E2E_INVESTOR_ENTITY ?? '';
  expect(entity, 'E2E_INVESTOR_ENTITY').not.toBe('');
  await signIn(page, ADMIN);
  await page.goto(`/clients?q=${encodeURIComponent(entity)}`);
  await page.getByRole('link', { name: entity, exact: true }).first().click();
  await page.getByRole('link', { name: /^互动与预览/ }).first().click();
  await expect(page.locator('#engagement-counts')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('link', { name: '以投资者身份查看' }).click();
  await expect(page.locator('#preview-banner')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.locator('.portal-preview a[href*="/preview/projects/"]').first().click();
  await expect(page.locator('#documents')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the sign-in form can be used with the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await page.keyboard.press('Tab'); // language switch
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('电子邮箱')).toBeFocused();
  await page.keyboard.type(ADMIN.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/$/);
  // The skip link is the first stop on staff pages.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: '跳到主要内容' })).toBeFocused();
});

test('the portal pages have no serious accessibility violations', async ({ page }) => {
  await page.goto('/portal/login');
  expect(await seriousViolations(page)).toEqual([]);
  await signInPortal(page, INVESTOR);
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/portal/projects');
  expect(await seriousViolations(page)).toEqual([]);
  await page.locator('main a[href^="/portal/projects/"]').first().click();
  await expect(page.locator('#updates')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.locator('#updates a[href^="/portal/updates/"]').first().click();
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/portal/questions');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/portal/profile');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/portal/complaints');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/portal/track-record');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto('/portal/reset');
  expect(await seriousViolations(page)).toEqual([]);
});
