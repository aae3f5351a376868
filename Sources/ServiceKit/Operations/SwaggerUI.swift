/// The Swagger UI page for `/openapi.json` (the UI's assets come from the public CDN when a browser
/// opens the page; nothing is fetched by the service itself).
enum SwaggerUI {
    static func page(title: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>\(title) — API</title>
          <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
          <script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });</script>
        </body>
        </html>
        """
    }
}
