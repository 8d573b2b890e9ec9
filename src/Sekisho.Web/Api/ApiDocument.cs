using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Sekisho.Web.Api;

/// <summary>Titles the OpenAPI document and declares the Bearer token scheme every operation needs.</summary>
internal sealed class ApiDocument : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Sekisho API",
            Version = "v1",
            Description = "Domains, policy rules, the InterScan migration tool, the quarantine and the audit log. Authenticate with 'Authorization: Bearer skt_…' (sekisho admin token).",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["token"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "API token" };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("token", document)] = [] });
        return Task.CompletedTask;
    }
}
