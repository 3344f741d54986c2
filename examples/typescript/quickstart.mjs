// Campaign OS quickstart: sign up, log in, create an API key, call the API with it, list keys.
//
//   (cd ../../sdks/typescript && npm ci && npm run build)
//   npm ci
//   CAMPAIGN_OS_BASE_URL=http://127.0.0.1:8080 node quickstart.mjs
import { CampaignOS, CampaignOSError } from 'campaign-os';

const baseUrl = process.env.CAMPAIGN_OS_BASE_URL ?? 'http://127.0.0.1:8080';

async function main() {
  // Sign-up and login need no credentials.
  const cos = new CampaignOS({ baseUrl });
  const email = `quickstart-${Date.now()}@example.com`;
  const password = `Tangerine-Orbit-${Date.now()}`;

  console.log(`Signing up ${email} at ${baseUrl} …`);
  const { data: signup } = await cos.auth.signup({
    body: { email, password, organization_name: 'Quickstart Inc.', name: 'Quick Start' },
  });
  console.log(`  user ${signup.user.id} is the ${signup.role} of ${signup.organization.id}`);

  console.log('Logging in …');
  const { data: session } = await cos.auth.login({ body: { email, password } }); // 200: no 2FA on this account
  console.log(`  access token valid for ${session.expires_in} s`);
  cos.setAccessToken(session.access_token);

  console.log('Creating an API key …');
  const { data: key } = await cos.apiKeys.create({ body: { name: 'quickstart' } });
  console.log(`  ${key.id} (${key.prefix}…); the secret is shown only once`);
  for (let i = 2; i <= 3; i++) {
    await cos.apiKeys.create({ body: { name: `quickstart ${i}` } });
  }

  console.log('Calling /v1/me with the API key …');
  const withKey = new CampaignOS({ baseUrl, apiKey: key.secret });
  const { data: me } = await withKey.me.get();
  console.log(`  principal_type=${me.principal_type} key=${me.api_key?.name} role=${me.role}`);

  console.log('Listing API keys, two per page …');
  let n = 0;
  for await (const page of withKey.paginate(withKey.apiKeys.list, { query: { limit: 2 } }).pages()) {
    n += 1;
    console.log(`  page ${n}: ${page.data.map((k) => k.name).join(', ')}${page.has_more ? '' : ' (last)'}`);
  }

  console.log('Done.');
}

main().catch((error) => {
  if (error instanceof CampaignOSError) {
    console.error(`Failed: ${error.status} ${error.code}: ${error.detail ?? error.message}`);
    if (error.requestId) console.error(`  request_id ${error.requestId}`);
    for (const e of error.errors) console.error(`  ${e.field}: ${e.code} (${e.message})`);
  } else {
    console.error('Failed:', error);
  }
  process.exit(1);
});
