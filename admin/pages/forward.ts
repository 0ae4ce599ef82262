/**
 * Pages Function body shared by /api/* and /ws/*: hand the request (including a WebSocket
 * upgrade) to the Worker through the `API` service binding, unchanged.
 */
export const forward = (ctx: { request: Request; env: { API: { fetch(r: Request): Promise<Response> } } }) =>
  ctx.env.API.fetch(ctx.request);
