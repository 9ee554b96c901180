import { test, expect, signIn, signInPortal, ADMIN, INVESTOR } from './fixtures';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

async function expectNoHorizontalScroll(page: import('@playwright/test').Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'page is wider than the phone screen').toBeLessThanOrEqual(0);
}

test('sign-in, home and users fit a phone screen', async ({ page }) => {
  await page.goto('/login');
  await expectNoHorizontalScroll(page);
  await signIn(page, ADMIN);
  await expectNoHorizontalScroll(page);
  await page.goto('/admin/users');
  await expectNoHorizontalScroll(page);
  await page.goto('/account');
  await expectNoHorizontalScroll(page);
  await page.goto('/clients');
  await expectNoHorizontalScroll(page);
  await page.goto('/clients/new');
  await expectNoHorizontalScroll(page);
  await page.goto('/projects');
  await expectNoHorizontalScroll(page);
  await page.goto('/deals');
  await expectNoHorizontalScroll(page);
  await page.goto('/lifecycle?owner=all');
  await expectNoHorizontalScroll(page);
  await page.goto('/pipeline?owner=all');
  await expectNoHorizontalScroll(page);
  // A seeded client's page with its deals, timeline and log form.
  await page.goto('/clients?kind=investor');
  await page.locator('table a[href^="/clients/"]').first().click();
  await expect(page.getByRole('heading', { name: '互动记录' })).toBeVisible();
  await expectNoHorizontalScroll(page);
});

test('the portal fits a phone screen', async ({ page }) => {
  await page.goto('/portal/login');
  await expectNoHorizontalScroll(page);
  await signInPortal(page, INVESTOR);
  await expectNoHorizontalScroll(page);
  await page.goto('/portal/projects');
  await expectNoHorizontalScroll(page);
  await page.locator('main a[href^="/portal/projects/"]').first().click();
  await expectNoHorizontalScroll(page);
  await page.locator('#updates a[href^="/portal/updates/"]').first().click();
  await expectNoHorizontalScroll(page);
  await page.goto('/portal/questions');
  await expectNoHorizontalScroll(page);
});
