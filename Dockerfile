# syntax=docker/dockerfile:1
# Sambung web app image. Build with `docker compose build` (or `docker build -t sambung-web .`).
# See docs/operations.md for why it is shaped this way.

# ---- 1. front-end packages ------------------------------------------------------------------------------------
# htmx and its SSE extension from npm, pinned by package-lock.json. The same two files as the FrontEndAsset items
# in src/Sambung.Web/Sambung.Web.csproj: keep both lists in step.
FROM node:22-bookworm-slim AS frontend
WORKDIR /src/src/Sambung.Web
COPY src/Sambung.Web/package.json src/Sambung.Web/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts --loglevel=error \
 && mkdir -p wwwroot/lib \
 && cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx-ext-sse/dist/sse.min.js \
       node_modules/@highlightjs/cdn-assets/highlight.min.js node_modules/katex/dist/katex.min.js \
       node_modules/katex/dist/katex.min.css node_modules/katex/dist/fonts/*.woff2 node_modules/mermaid/dist/mermaid.min.js \
       wwwroot/lib/

# ---- 2. build -------------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore on its own layer: it is rebuilt only when a project file or the central package versions change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Sambung.Events/Sambung.Events.csproj src/Sambung.Events/
COPY src/Sambung.Projections/Sambung.Projections.csproj src/Sambung.Projections/
COPY src/Sambung.Web/Sambung.Web.csproj src/Sambung.Web/
RUN dotnet restore src/Sambung.Web/Sambung.Web.csproj
# Everything .dockerignore lets through (src/ and the root build files; no tests, no local build output).
COPY . .
COPY --from=frontend /src/src/Sambung.Web/wwwroot/lib/ src/Sambung.Web/wwwroot/lib/
# SkipFrontEndBuild: npm already ran in the frontend stage; this image has no Node.js.
RUN dotnet publish src/Sambung.Web/Sambung.Web.csproj -c Release -o /app --nologo \
      -p:SkipFrontEndBuild=true -p:UseAppHost=false

# ---- 3. runtime -----------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl for HEALTHCHECK only: the aspnet image has neither curl nor wget, and curl -f turns any non-2xx answer
# (/health answers 503 when the database is down) into a failed check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# ASPNETCORE_HTTP_PORTS is emptied so that ASPNETCORE_URLS alone decides (no "overriding HTTP_PORTS" warning).
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS="" \
    ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080
# The image's unprivileged "app" user.
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null --max-time 4 http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["dotnet", "Sambung.Web.dll"]
