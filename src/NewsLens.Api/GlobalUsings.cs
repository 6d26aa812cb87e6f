// The cross-cutting namespaces every feature folder uses: the HTTP layer, storage, imports, text rules and security.
global using NewsLens.Api.Http;
global using NewsLens.Api.Imports;
global using NewsLens.Api.Security;
global using NewsLens.Api.Storage;
global using NewsLens.Api.Telemetry;
global using NewsLens.Api.Text;
