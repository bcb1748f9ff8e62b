import { expect, test, type Page } from '@playwright/test';
import { DATA } from './helpers';

// web-llm cannot run a real model here (no weights can be fetched), so these tests cover what
// a user sees when a custom MLC model's files are missing, invalid, or slow, against a local server.

async function addCustomMlc(
  page: Page,
  id: string,
  modelUrl: string,
  libUrl: string,
): Promise<void> {
  await page.goto('/#model');
  await page.locator('summary', { hasText: 'Custom MLC model' }).click();
  await page.getByTestId('mlc-id').fill(id);
  await page.getByTestId('mlc-url').fill(modelUrl);
  await page.getByTestId('mlc-lib').fill(libUrl);
  await page.getByTestId('mlc-add').click();
  await page
    .locator(`[data-testid="mlc-custom"][data-id="${id}"]`)
    .getByTestId('load-custom-mlc')
    .click();
}

const error = (page: Page) => page.getByTestId('engine-error');

test('missing model files: the address and the 404 are named', async ({ page }) => {
  await addCustomMlc(page, 'missing-model', `${DATA}/mlc/missing`, `${DATA}/mlc/libs/model.wasm`);
  await expect(error(page)).toHaveAttribute('data-code', 'not-found', { timeout: 60_000 });
  await expect(error(page)).toContainText('mlc-chat-config.json');
  await expect(error(page)).toContainText('404');
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'error');
});

test('a config that is not JSON is reported as an invalid model', async ({ page }) => {
  await addCustomMlc(page, 'bad-config', `${DATA}/mlc/badjson`, `${DATA}/mlc/libs/model.wasm`);
  await expect(error(page)).toHaveAttribute('data-code', 'invalid-model', { timeout: 60_000 });
  await expect(error(page)).toContainText('mlc-chat-config.json');
});

test('a missing model library (.wasm) is named', async ({ page }) => {
  await addCustomMlc(page, 'no-lib', `${DATA}/mlc/good`, `${DATA}/mlc/libs/missing.wasm`);
  await expect(error(page)).toHaveAttribute('data-code', 'not-found', { timeout: 60_000 });
  await expect(error(page)).toContainText('missing.wasm');
});

test('cancel during a download stops it and leaves no error', async ({ page }) => {
  await addCustomMlc(page, 'slow-model', `${DATA}/mlc/slow`, `${DATA}/mlc/libs/model.wasm`);
  await expect(page.getByTestId('model-progress')).toBeVisible();
  await page.waitForTimeout(1000);
  await page.getByTestId('cancel-load').click();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'idle', {
    timeout: 30_000,
  });
  await expect(error(page)).toHaveCount(0);
});

test('custom model addresses are checked before anything is downloaded', async ({ page }) => {
  await page.goto('/#model');
  await page.locator('summary', { hasText: 'Custom MLC model' }).click();
  await page.getByTestId('mlc-id').fill('x');
  await page.getByTestId('mlc-url').fill('models/relative');
  await page.getByTestId('mlc-lib').fill(`${DATA}/mlc/libs/model.wasm`);
  await page.getByTestId('mlc-add').click();
  await expect(page.getByRole('alert')).toContainText(
    'The model address must be a full address starting with https://',
  );
});
