// Campaign OS agency onboarding: an agency creates a client workspace, invites a member into it,
// issues a read-only API key for it, and calls the API as the client with that key.
//
//   (cd ../../sdks/typescript && npm ci && npm run build)
//   npm ci
//   CAMPAIGN_OS_BASE_URL=http://127.0.0.1:8080 node agency_onboarding.mjs
import { CampaignOS, CampaignOSError } from 'campaign-os';

const baseUrl = process.env.CAMPAIGN_OS_BASE_URL ?? 'http://127.0.0.1:8080';

async function main() {
  const agency = new CampaignOS({ baseUrl });
  const stamp = Date.now();
  const email = `agency-${stamp}@example.com`;
  const password = `Tangerine-Orbit-${stamp}`;

  console.log(`1. Signing up ${email} …`);
  const { data: signup } = await agency.auth.signup({
    body: { email, password, organization_name: 'Northwind Agency', name: 'Alex Agent' },
  });
  agency.setAccessToken(signup.access_token);

  console.log('2. Making the organisation an agency …');
  const { data: org } = await agency.organizations.update({ body: { kind: 'agency' } });
  console.log(`   ${org.id} is now kind=${org.kind}`);

  console.log('3. Creating a client workspace …');
  const { data: client } = await agency.clients.create({ body: { name: 'Contoso Coffee' } });
  console.log(`   client ${client.id} (${client.name})`);

  // Everything below acts on the client: the agency's token plus X-Tenant-Id.
  const asAgencyInClient = new CampaignOS({ baseUrl, accessToken: signup.access_token, tenantId: client.id });

  console.log('4. Inviting the client\'s marketer into the client workspace …');
  const { data: invitation } = await asAgencyInClient.invitations.create({
    body: { email: `marketer-${stamp}@example.com`, role: 'member' },
  });
  console.log(`   ${invitation.id} for ${invitation.email} as ${invitation.role}, expires ${invitation.expires_at}`);

  console.log('5. Issuing a read-only API key for the client …');
  const { data: key } = await asAgencyInClient.apiKeys.create({
    body: { name: 'contoso reporting', scopes: ['organization:read', 'members:read'] },
  });
  console.log(`   ${key.id} (${key.prefix}…) scopes=${key.scopes.join(' ')}; the secret is shown only once`);

  console.log('6. Calling the API as the client with that key …');
  const asClient = new CampaignOS({ baseUrl, apiKey: key.secret });
  const { data: seen } = await asClient.organizations.get();
  console.log(`   the key sees organisation ${seen.id} (${seen.name}, kind=${seen.kind})`);

  console.log('7. A write with the read-only key is refused …');
  try {
    await asClient.apiKeys.create({ body: { name: 'not allowed' } });
    throw new Error('expected a 403');
  } catch (error) {
    if (!(error instanceof CampaignOSError) || error.status !== 403) throw error;
    console.log(`   ${error.status} ${error.code}: needs ${error.requiredScope}`);
  }
  console.log('Done.');
}

main().catch((error) => {
  if (error instanceof CampaignOSError) {
    console.error(`Failed: ${error.status} ${error.code}: ${error.detail ?? error.message}`);
    if (error.requestId) console.error(`  request_id ${error.requestId}`);
  } else {
    console.error('Failed:', error);
  }
  process.exit(1);
});
