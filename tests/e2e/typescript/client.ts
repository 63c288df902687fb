// What a TypeScript developer meets: types generated from openapi.yaml (openapi-typescript), calls made with
// openapi-fetch, every answer read through those types (no cast, no `any`). tests/e2e/test_typescript_client.py
// generates generated/openapi.ts, checks this file with `tsc --noEmit` and runs it against the local API:
//
//     tsx client.ts BASE_URL [SUFFIX]        (or BOOKMARKER_URL, BOOKMARKER_SUFFIX in the environment)
//
// One line a step on stdout; the first unexpected answer ends it with its reason on stderr and exit code 1.
import { randomUUID } from "node:crypto";

import createClient from "openapi-fetch";

import type { components, paths } from "./generated/openapi.js";

type Bookmark = components["schemas"]["Bookmark"];

const PASSWORD = "correct horse battery";

class Unexpected extends Error {}

function expect(condition: boolean, step: string, what: string, answer: unknown): asserts condition {
  if (!condition) throw new Unexpected(`${step}: expected ${what}, got ${JSON.stringify(answer)}`);
}

// An openapi-fetch result is either `data` (a success declared for the route) or `error` (a declared error body):
// this returns the data of the one status expected, or stops with what came instead.
function answered<T>(step: string, status: number, result: { data?: T; error?: unknown; response: Response }): T {
  const { data, error, response } = result;
  if (data === undefined || response.status !== status) {
    throw new Unexpected(`${step}: expected ${status}, got ${response.status} ${JSON.stringify(error ?? data)}`);
  }
  return data;
}

function ids(bookmarks: Bookmark[]): string {
  return bookmarks.map((b) => b.id).join(" ");
}

async function main(): Promise<void> {
  const baseUrl = process.argv[2] ?? process.env["BOOKMARKER_URL"];
  if (!baseUrl) throw new Unexpected("usage: tsx client.ts BASE_URL [SUFFIX] (or BOOKMARKER_URL)");
  const suffix = process.argv[3] ?? process.env["BOOKMARKER_SUFFIX"] ?? randomUUID().replaceAll("-", "").slice(0, 20);
  if (!/^[A-Za-z0-9]{1,28}$/.test(suffix)) throw new Unexpected(`the suffix must be 1 to 28 ASCII letters or digits`);
  const username = `ts${suffix}`;
  const email = `${username}@example.com`;

  const anonymous = createClient<paths>({ baseUrl });
  const registered = answered("register", 201, await anonymous.POST("/api/v1/auth/register", {
    body: { username, email, password: PASSWORD },
  }));
  expect(registered.user.email === email, "register", `the user ${email}`, registered);
  console.log(`register: 201 ${registered.user.username} ${registered.user.id}`);

  const login = answered("login", 200, await anonymous.POST("/api/v1/auth/login", {
    body: { email, password: PASSWORD },
  }));
  // The document declares the tokens in `user`; read them where it says they are.
  const access = login.user.access;
  console.log(`login: 200 ${login.token_type} token, expires in ${login.expires_in} s`);

  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${access}` } });
  const created: Bookmark[] = [];
  for (const n of [1, 2, 3]) {
    const url = `https://example.com/ts/${suffix}/${n}`;
    const result = await api.POST("/api/v1/bookmarks", { body: { url, body: `note ${n}` } });
    const bookmark = answered(`create ${n}`, 201, result);
    expect(bookmark.url === url && bookmark.visits === 0, `create ${n}`, `${url} with 0 visits`, bookmark);
    expect(bookmark.short_url.endsWith(`/${bookmark.short_code}`), `create ${n}`, "short_url ending in the code",
           bookmark);
    expect(result.response.headers.get("Location") !== null, `create ${n}`, "a Location header", bookmark);
    created.push(bookmark);
    console.log(`create: 201 ${bookmark.id} ${bookmark.short_code} ${bookmark.url}`);
  }
  const [first, second, third] = created;
  if (!first || !second || !third) throw new Unexpected("create: three bookmarks were not made");

  const byPage = answered("list by page", 200, await api.GET("/api/v1/bookmarks", {
    params: { query: { page: 1, per_page: 2 } },
  }));
  expect(ids(byPage.data) === ids([third, second]), "list by page", `the two newest, ${ids([third, second])}`,
         byPage);
  expect(byPage.meta.page === 1 && byPage.meta.pages === 2 && byPage.meta.total_count === 3 && byPage.meta.has_next,
         "list by page", "page 1 of 2, 3 in all", byPage.meta);
  console.log(`list page 1: 200 ${ids(byPage.data)} (page ${byPage.meta.page} of ${byPage.meta.pages}, `
              + `${byPage.meta.total_count} in all)`);

  const cursor = byPage.meta.next_cursor;
  if (cursor === null) throw new Unexpected("list by page: no next_cursor on a page with more after it");
  const byCursor = answered("list by cursor", 200, await api.GET("/api/v1/bookmarks", {
    params: { query: { cursor, per_page: 2 } },
  }));
  expect(ids(byCursor.data) === ids([first]), "list by cursor", `the oldest, ${first.id}`, byCursor);
  expect(byCursor.meta.page === null && byCursor.meta.next_cursor === null, "list by cursor",
         "cursor mode (page null) and the last page (next_cursor null)", byCursor.meta);
  console.log(`list by cursor: 200 ${ids(byCursor.data)} (next_cursor ${byCursor.meta.next_cursor})`);

  const patched = answered("patch", 200, await api.PATCH("/api/v1/bookmarks/{id}", {
    params: { path: { id: first.id } },
    body: { body: "patched" },
  }));
  expect(patched.id === first.id && patched.body === "patched" && patched.url === first.url, "patch",
         "the same bookmark with the new body", patched);
  console.log(`patch: 200 ${patched.id} body ${JSON.stringify(patched.body)}`);

  // A URL this user already saved: the typed error, not a thrown exception, carries the problem details.
  const duplicate = await api.POST("/api/v1/bookmarks", { body: { url: second.url, body: "again" } });
  const problem = duplicate.error;
  if (duplicate.response.status !== 409 || problem === undefined || !("code" in problem)) {
    throw new Unexpected(`duplicate: expected 409 problem JSON, got ${duplicate.response.status} `
                         + JSON.stringify(problem ?? duplicate.data));
  }
  expect(problem.code === "url_exists" && problem.status === 409, "duplicate", "code url_exists", problem);
  console.log(`duplicate: 409 ${problem.code} (${problem.detail})`);

  const deleted = await api.DELETE("/api/v1/bookmarks/{id}", { params: { path: { id: second.id } } });
  expect(deleted.response.status === 204 && deleted.error === undefined, "delete", "204",
         { status: deleted.response.status, error: deleted.error });
  const gone = await api.GET("/api/v1/bookmarks/{id}", { params: { path: { id: second.id } } });
  const notFound = gone.error;
  if (gone.response.status !== 404 || notFound === undefined || !("code" in notFound)
      || notFound.code !== "not_found") {
    throw new Unexpected(`delete: expected 404 not_found for the deleted bookmark, got ${gone.response.status} `
                         + JSON.stringify(notFound ?? gone.data));
  }
  console.log(`delete: 204 ${second.id} (then 404 ${notFound.code})`);

  const kept = answered("list", 200, await api.GET("/api/v1/bookmarks", { params: { query: { per_page: 100 } } }));
  expect(ids(kept.data) === ids([third, patched]), "list", `${ids([third, patched])} left`, kept);
  console.log(`kept: ${kept.meta.total_count} ${ids(kept.data)}`);
}

main().catch((reason: unknown) => {
  console.error(reason instanceof Unexpected ? reason.message : reason);
  process.exitCode = 1;
});
