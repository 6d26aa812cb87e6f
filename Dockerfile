# NewsLens API container image.
#
#   docker build -t newslens-api .
#   docker run --rm -p 8080:8080 -v newslens-data:/data newslens-api
#
# Build context is the repository root: the API embeds db/migrations/*.sql via the
# relative path ../../db/migrations, so db/ must be in the context (see .dockerignore).

# ---------------------------------------------------------------------------
# Build stage
# ---------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore layer: only the files NuGet restore reads (central package versions and
# shared MSBuild properties at the root, then the project file), so editing source
# code does not invalidate the cached restore. The solution file is not copied: it
# also lists the test project, which the image does not build.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/NewsLens.Api/NewsLens.Api.csproj src/NewsLens.Api/
# Publishing for the image's architecture (amd64 or arm64) makes a ReadyToRun build (see the project file):
# the service is ready sooner because it does not wait for the JIT. BuildKit (Docker's builder by default since
# Docker 23; `docker buildx build` anywhere) supplies TARGETARCH.
ARG TARGETARCH
RUN dotnet restore src/NewsLens.Api/NewsLens.Api.csproj -a "$TARGETARCH"

COPY src/ src/
COPY db/ db/
RUN dotnet publish src/NewsLens.Api/NewsLens.Api.csproj \
        --configuration Release \
        --output /app/publish \
        --no-restore \
        -a "$TARGETARCH" \
        --self-contained false \
        -p:UseAppHost=false

# ---------------------------------------------------------------------------
# Runtime stage
# ---------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final

# The SQLite database lives on a volume; the non-root `app` user (UID/GID 1654,
# $APP_UID, provided by the aspnet image) must own it. This runs as root, before USER.
RUN mkdir -p /data && chown "$APP_UID:$APP_UID" /data

WORKDIR /app
# Application files stay owned by root: the app user can read but not modify them.
COPY --from=build /app/publish ./

# MALLOC_ARENA_MAX=2: glibc gives each thread that allocates its own malloc arena; SQLite's page caches then
# stay resident in several of them after an import (50 MB of peak RSS on a 500k-article import, measured).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ConnectionStrings__NewsLens="Data Source=/data/newslens.db" \
    MALLOC_ARENA_MAX=2

VOLUME ["/data"]
EXPOSE 8080

USER $APP_UID

# No HEALTHCHECK: the aspnet image has neither curl nor wget. Probe GET /health/live
# from the orchestrator instead.
ENTRYPOINT ["dotnet", "NewsLens.Api.dll"]
