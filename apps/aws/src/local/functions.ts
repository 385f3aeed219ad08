/** The functions of serverless.yml, by name. */
export type FunctionName =
  | "hello"
  | "helloHttp"
  | "addTodo"
  | "listTodo"
  | "api"
  | "importUpload"
  | "csvImport";

export interface FunctionSettings {
  /** As serverless.yml gives it: `<bundle folder>/index.handler`. */
  handler: string;
  /** Seconds, as serverless.yml gives them (the provider's 10 unless the function says otherwise). */
  timeout: number;
  memorySize: number;
}

/**
 * What serverless.yml declares for each function, mirrored for the local loop; the packaging test checks
 * the two agree against the CloudFormation template.
 */
export const FUNCTIONS: Readonly<Record<FunctionName, FunctionSettings>> = {
  hello: { handler: "dist/hello/index.handler", timeout: 10, memorySize: 128 },
  helloHttp: { handler: "dist/helloHttp/index.handler", timeout: 10, memorySize: 128 },
  addTodo: { handler: "dist/workshopTodos/index.handler", timeout: 29, memorySize: 256 },
  listTodo: { handler: "dist/workshopTodos/index.handler", timeout: 29, memorySize: 256 },
  api: { handler: "dist/api/index.handler", timeout: 29, memorySize: 256 },
  importUpload: { handler: "dist/importUpload/index.handler", timeout: 29, memorySize: 1024 },
  csvImport: { handler: "dist/csvImport/index.handler", timeout: 900, memorySize: 512 },
};

/** The bundle a function runs: `workshopTodos` for `dist/workshopTodos/index.handler`. */
export function bundleOf(name: FunctionName): string {
  const match = /^dist\/([^/]+)\/index\.handler$/.exec(FUNCTIONS[name].handler);
  if (!match) throw new Error(`The handler of ${name} is not dist/<bundle>/index.handler.`);
  return match[1]!;
}

export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

/** An `httpApi` event of serverless.yml: API Gateway's route key is `${method} ${path}`. */
export interface HttpRoute {
  method: string;
  /** With `{name}` for a path parameter, as in serverless.yml. */
  path: string;
  functionName: FunctionName;
}

/** The `httpApi` events of serverless.yml, in its order. */
export const HTTP_ROUTES: readonly HttpRoute[] = [
  { method: "GET", path: "/hello", functionName: "helloHttp" },
  { method: "GET", path: "/hello/{name}", functionName: "helloHttp" },
  { method: "POST", path: "/todo/add", functionName: "addTodo" },
  { method: "GET", path: "/todo/list", functionName: "listTodo" },
  { method: "GET", path: "/health", functionName: "api" },
  { method: "GET", path: "/todos", functionName: "api" },
  { method: "POST", path: "/todos", functionName: "api" },
  { method: "POST", path: "/todos/import", functionName: "importUpload" },
  { method: "GET", path: "/todos/{id}", functionName: "api" },
  { method: "PATCH", path: "/todos/{id}", functionName: "api" },
  { method: "DELETE", path: "/todos/{id}", functionName: "api" },
];

/**
 * serverless.yml's catch-all `httpApi: "*"` (API Gateway's `$default` route): any request no route above
 * matches goes to `api`, so core answers it (405 with Allow, a problem+json 404).
 */
export const DEFAULT_ROUTE: HttpRoute = { method: "$default", path: "", functionName: "api" };

/** The function the S3 notification of serverless.yml invokes, and its filter. */
export const CSV_UPLOADS = { functionName: "csvImport", suffix: ".csv" } as const;

export interface RouteMatch {
  route: HttpRoute;
  /** Decoded, by name; `{}` when the route has none. */
  pathParameters: Record<string, string>;
}

/**
 * The route API Gateway would pick for a request: the one whose method and path match, literal segments
 * before parameters (`/todos/import` wins over `/todos/{id}`). `path` is encoded, as on the wire.
 */
export function matchRoute(
  method: string,
  path: string,
  routes: readonly HttpRoute[] = HTTP_ROUTES,
): RouteMatch {
  const segments = path.split("/");
  let best: RouteMatch | undefined;
  let bestLiterals = -1;
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split("/");
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let literals = 0;
    const matches = pattern.every((part, index) => {
      const segment = segments[index]!;
      const parameter = /^\{(\w+)\}$/.exec(part)?.[1];
      if (parameter === undefined) {
        literals += 1;
        return part === segment;
      }
      if (segment === "") return false;
      pathParameters[parameter] = safeDecode(segment);
      return true;
    });
    if (matches && literals > bestLiterals) {
      best = { route, pathParameters };
      bestLiterals = literals;
    }
  }
  return best ?? { route: DEFAULT_ROUTE, pathParameters: {} };
}

/** A percent-encoded path or segment decoded; one that cannot be (`%zz`, bad UTF-8) as it was sent. */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
