import { test as base, expect, Page } from '@playwright/test';

export const ADMIN = {
  email: process.env.E2E_ADMIN_EMAIL ?? 'e2e.admin@covenant.example',
  password: process.env.E2E_ADMIN_PASSWORD ?? 'Browser-Test-Admin-2026',
};
export const RM = {
  email: process.env.E2E_RM_EMAIL ?? 'e2e.rm@covenant.example',
  password: process.env.E2E_RM_PASSWORD ?? 'Browser-Test-Rm-2026',
};

// Every test fails on a Content-Security-Policy violation or an uncaught page error.
export const test = base.extend<{ problems: string[] }>({
  problems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
        });
      });
      page.on('console', (msg) => {
        const text = msg.text();
        if (msg.type() === 'error' && /Content.Security.Policy|CSP violation/i.test(text)) {
          problems.push(text);
        }
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await use(problems);
      expect(problems, 'CSP violations and page errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto('/login');
  await page.getByLabel(/电子邮箱|E-mail/).fill(who.email);
  await page.getByLabel(/^(密码|Password)$/).fill(who.password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await expect(page).toHaveURL(/\/$/);
}

/// Resolves once the wasm bundle is loaded and every island on the page is live.
export async function hydrated(page: Page) {
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await expect(page.locator('leptos-island .island:not([data-live])')).toHaveCount(0);
}

// A demo investor printed by seed-demo (scripts/test.sh passes the first one).
export const INVESTOR = {
  email: process.env.E2E_INVESTOR_EMAIL ?? '',
  password: process.env.E2E_INVESTOR_PASSWORD ?? '',
};

export async function signInPortal(page: Page, who: { email: string; password: string }) {
  expect(who.email, 'E2E_INVESTOR_EMAIL').not.toBe('');
  await page.goto('/portal/login');
  await page.getByLabel(/电子邮箱|E-mail/).fill(who.email);
  await page.getByLabel(/^(密码|Password)$/).fill(who.password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await expect(page).toHaveURL(/\/portal$/);
}
