// The generated client (src/gen/client/client.gen.ts) casts to the DOM type `BodyInit`, which
// @types/node does not declare globally. Only needed to compile; it appears in no emitted .d.ts.
type BodyInit = NonNullable<RequestInit['body']>;
