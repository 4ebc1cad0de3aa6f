using Microsoft.AspNetCore.Antiforgery;
using System.Security.Claims;
using Htmx;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Sambung.Web.Features.Accounts;

public sealed record SsoOptions(string Authority, string ClientId, string? ClientSecret, string DisplayName, string[] Scopes,
    string AdminClaimType, string? AdminClaimValue, bool RequireHttpsMetadata)
{
    public const string Scheme = "oidc";

    public static SsoOptions? From(IConfiguration config)
    {
        if (string.IsNullOrWhiteSpace(config["OIDC_AUTHORITY"]) || string.IsNullOrWhiteSpace(config["OIDC_CLIENT_ID"])) return null;
        return new(config["OIDC_AUTHORITY"]!.Trim(), config["OIDC_CLIENT_ID"]!.Trim(), NullIfBlank(config["OIDC_CLIENT_SECRET"]),
            NullIfBlank(config["OIDC_DISPLAY_NAME"]) ?? "SSO",
            (config["OIDC_SCOPES"] ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries),
            NullIfBlank(config["OIDC_ADMIN_CLAIM"]) ?? "groups", NullIfBlank(config["OIDC_ADMIN_GROUP"]),
            !string.Equals(config["OIDC_REQUIRE_HTTPS"], "false", StringComparison.OrdinalIgnoreCase));
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public static class AccountsRegistration
{
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration config, IHostEnvironment environment)
    {
        services.AddIdentityCore<SambungUser>(o =>
            {
                o.Password.RequiredLength = 8;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters += "+"; // user names are e-mail addresses
            })
            .AddSignInManager()
            .AddClaimsPrincipalFactory<SambungClaimsFactory>();
        services.AddScoped<IUserStore<SambungUser>, MartenUserStore>();
        services.AddSingleton<UserSessions>();
        services.AddSingleton<SessionChecks>();

        var secure = config.GetValue("Sambung:SecureCookies", !environment.IsDevelopment())
            ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        var authentication = services.AddAuthentication(o =>
        {
            o.DefaultScheme = IdentityConstants.ApplicationScheme;
            o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
        });
        authentication.AddIdentityCookies(cookies =>
        {
            cookies.ApplicationCookie?.Configure(o =>
            {
                o.Cookie.Name = "sambung.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = secure;
                o.ExpireTimeSpan = UserSessions.Lifetime;
                o.SlidingExpiration = true;
                o.LoginPath = "/account/signin";
                o.LogoutPath = "/account/signout";
                o.AccessDeniedPath = "/account/denied";
                o.Events.OnValidatePrincipal = async context =>
                {
                    var services = context.HttpContext.RequestServices;
                    await services.GetRequiredService<UserSessions>().ValidateAsync(context);
                    // Identity's stamp check is due only every ValidationInterval; asking it builds the whole
                    // UserManager on every request, so it is asked only when due (it applies the same rule).
                    if (context.Principal is not null && SecurityStampDue(context, services))
                        await SecurityStampValidator.ValidatePrincipalAsync(context);
                };
                // htmx follows a redirect inside the swap; ask it to load the sign-in page as a whole instead.
                o.Events.OnRedirectToLogin = context =>
                {
                    if (context.Request.IsHtmx())
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Htmx(h => h.Redirect(context.RedirectUri));
                    }
                    else context.Response.Redirect(context.RedirectUri);
                    return Task.CompletedTask;
                };
            });
            cookies.ExternalCookie?.Configure(o =>
            {
                o.Cookie.Name = "sambung.external";
                o.Cookie.SecurePolicy = secure;
                o.Cookie.SameSite = SameSiteMode.Lax;
            });
        });
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            // The stamp is re-checked every few minutes; the new principal keeps the session id of the old one.
            o.ValidationInterval = TimeSpan.FromMinutes(5);
            o.OnRefreshingPrincipal = context =>
            {
                if (context.CurrentPrincipal?.FindFirst(UserSessions.SessionClaim) is { } sid && context.NewPrincipal?.Identity is ClaimsIdentity identity)
                    identity.AddClaim(new Claim(sid.Type, sid.Value));
                return Task.CompletedTask;
            };
        });
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            o.Cookie.Name = "sambung.af";
            o.Cookie.SecurePolicy = secure;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        // Proofs checked once are remembered for a few minutes (RememberedProofs): the antiforgery pair, and the
        // sign-in cookie's ticket (after the framework has set its format).
        var antiforgery = services.Last(d => d.ServiceType == typeof(IAntiforgery));
        services.Remove(antiforgery);
        services.AddSingleton<IAntiforgery>(sp => new RememberedAntiforgery(
            (IAntiforgery)ActivatorUtilities.CreateInstance(sp, antiforgery.ImplementationType!),
            sp.GetRequiredService<IOptions<AntiforgeryOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .PostConfigure<TimeProvider>((o, clock) => o.TicketDataFormat = new RememberedTicketFormat(o.TicketDataFormat, clock));

        if (SsoOptions.From(config) is { } sso)
        {
            services.AddSingleton(sso);
            authentication.AddOpenIdConnect(SsoOptions.Scheme, sso.DisplayName, o =>
            {
                o.Authority = sso.Authority;
                o.ClientId = sso.ClientId;
                o.ClientSecret = sso.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SignInScheme = IdentityConstants.ExternalScheme;
                o.CallbackPath = "/signin-oidc";
                o.SaveTokens = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.RequireHttpsMetadata = sso.RequireHttpsMetadata;
                o.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email" }.Concat(sso.Scopes).Distinct()) o.Scope.Add(scope);
                // Lax (not the default None): a None cookie without Secure is dropped by browsers, and over plain HTTP
                // (SecureCookies=false) that would break the round trip; the provider's redirect back is top-level.
                o.CorrelationCookie.SecurePolicy = o.NonceCookie.SecurePolicy = secure;
                o.CorrelationCookie.SameSite = o.NonceCookie.SameSite = SameSiteMode.Lax;
            });
        }

        var limits = new RateLimitOptions(config.GetValue("Sambung:RateLimits:SignInsPerMinute", 10),
            config.GetValue("Sambung:RateLimits:MessagesPerHour", 100));
        services.AddSingleton(limits);
        services.AddSingleton<RequestLimits>();
        return services;
    }

    private static bool SecurityStampDue(CookieValidatePrincipalContext context, IServiceProvider services) =>
        context.Properties.IssuedUtc is not { } issued
        || services.GetRequiredService<TimeProvider>().GetUtcNow() - issued > services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value.ValidationInterval;
}

// Claims in the cookie: id, e-mail, display name, roles and the security stamp (Identity's own).
public sealed class SambungClaimsFactory(UserManager<SambungUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<SambungUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(SambungUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(AccountClaims.DisplayName, user.DisplayName));
        foreach (var role in user.Roles) identity.AddClaim(new Claim(identity.RoleClaimType, role));
        return identity;
    }
}
