// The service's cross-cutting namespaces, as in the service itself.
global using NewsLens.Api.Http;
global using NewsLens.Api.Imports;
global using NewsLens.Api.Security;
global using NewsLens.Api.Storage;
global using NewsLens.Api.Text;
// The test helpers every feature's tests use.
global using NewsLens.Api.Tests.TestSupport;
