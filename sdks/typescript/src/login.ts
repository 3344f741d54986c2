import type { MfaChallengeOut, SessionOut } from './gen/types.gen.js';

/**
 * `auth.login` answers `200` with a session, or `202` with a 2FA challenge when the user has
 * two-factor authentication on; complete the challenge with `auth.loginMfa`:
 *
 * ```ts
 * const { data } = await cos.auth.login({ body: { email, password } });
 * const session = isMfaChallenge(data)
 *   ? (await cos.auth.loginMfa({ body: { challenge_token: data.challenge_token, code } })).data
 *   : data;
 * ```
 */
export function isMfaChallenge(result: SessionOut | MfaChallengeOut): result is MfaChallengeOut {
  return 'challenge_token' in result;
}
