// Starts Swagger UI on /docs. A file of its own (not an inline script), so the page's CSP can say script-src 'self'.
"use strict";
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true, // the bearer token entered under "Authorize" survives a reload
  displayRequestDuration: true,
  filter: true,
  validatorUrl: null, // no badge fetched from an outside validator: the docs work offline
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
