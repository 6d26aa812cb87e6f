using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Http;

/// <summary>
/// Runs the FluentValidation validator registered for any endpoint argument (request bodies and
/// <c>[AsParameters]</c> query objects) and answers 400 with <c>errors</c> before the handler runs.
/// Attached once, on the <c>/v1</c> group.
/// </summary>
public static class ValidationFilter
{
    public static EndpointFilterDelegate Factory(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var services = context.ApplicationServices;
        var registered = services.GetRequiredService<IServiceProviderIsService>();
        // Validators (singletons) are built on the first request that needs them, not while the endpoints are
        // built at start: building them all compiles their rule expressions, a sixth of the start-up time.
        var validated = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (index, type: typeof(IValidator<>).MakeGenericType(parameter.ParameterType)))
            .Where(p => registered.IsService(p.type))
            .Select(p => (p.index, validator: new Lazy<IValidator>(() => (IValidator)services.GetRequiredService(p.type))))
            .ToArray();

        if (validated.Length == 0)
        {
            return next;
        }

        return async invocation =>
        {
            foreach (var (index, validator) in validated)
            {
                if (invocation.Arguments[index] is not { } argument)
                {
                    continue;
                }

                var result = await validator.Value.ValidateAsync(new ValidationContext<object>(argument), invocation.HttpContext.RequestAborted);
                if (!result.IsValid)
                {
                    return TypedResults.ValidationProblem(result.ToDictionary(), detail: "One or more fields are invalid; see errors.");
                }
            }

            return await next(invocation);
        };
    }
}
