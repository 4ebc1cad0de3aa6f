using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Npgsql;
using Sambung.Projections;
using Sambung.Projections.Search;
using Sambung.Web;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Health;
using Sambung.Web.Features.Library;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;
using Sambung.Web.Features.Transfer;
using Sambung.Web.Infrastructure;
using Wolverine;
using Wolverine.Marten;

var builder = WebApplication.CreateBuilder(args);

var connectionString = builder.Configuration.GetConnectionString("Sambung")
    ?? throw new InvalidOperationException(
        "No database configured: set ConnectionStrings__Sambung (./run.sh does this for you).");

builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
builder.Services.AddMarten(opts =>
    {
        SambungStore.Configure(opts);
        opts.Schema.For<SambungUser>().UniqueIndex(u => u.NormalizedEmail).UniqueIndex(u => u.NormalizedUserName);
        opts.Schema.For<UserSession>().Index(s => s.UserId);
        opts.Schema.For<Avatar>().Index(a => a.UserId);
        opts.Schema.For<ProviderConnection>().Index(c => c.OwnerId);
        // Self-hosters upgrade by restarting: the schema follows the code. Set Sambung__ApplySchemaOnStart=false
        // to manage it yourself (dotnet Sambung.Web.dll db-apply).
        opts.AutoCreateSchemaObjects = builder.Configuration.GetValue("Sambung:ApplySchemaOnStart", true)
            ? AutoCreate.CreateOrUpdate : AutoCreate.None;
    })
    .UseNpgsqlDataSource()
    .UseLightweightSessions()
    .ApplyAllDatabaseChangesOnStartup()
    .InitializeWith<SearchStatistics>()
    .InitializeWith<TitleSearchIndex>()
    .AddAsyncDaemon(DaemonMode.Solo)
    .IntegrateWithWolverine();
// Marten's default logger writes SQL parameter values, and those are the messages.
builder.Services.ConfigureMarten((services, opts) =>
{
    opts.Logger(new ContentFreeMartenLogger(services.GetRequiredService<ILoggerFactory>().CreateLogger("Marten")));
    opts.Listeners.Add(services.GetRequiredService<ProviderChanges>());
    opts.Listeners.Add(services.GetRequiredService<SessionChecks>());
    opts.Listeners.Add(services.GetRequiredService<Sambung.Web.Features.Analytics.PricingChanges>());
});

builder.Host.UseWolverine(opts =>
{
    opts.Policies.AutoApplyTransactions();
    // Work that must happen after a commit, even across a crash: kept in PostgreSQL until done.
    opts.LocalQueue("privacy").UseDurableInbox();
    opts.PublishMessage<MaskPurgedConversation>().ToLocalQueue("privacy");
    opts.Discovery.IncludeAssembly(typeof(Program).Assembly);
});

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddHttpContextAccessor();
builder.Services.AddSambungDataProtection();
builder.Services.AddAccounts(builder.Configuration, builder.Environment);
builder.Services.AddScoped<CurrentUser>();
builder.Services.AddScoped<ChatLists>();
builder.Services.AddSingleton<ChatListSignals>();
builder.Services.AddScoped<AccountSignIn>();
builder.Services.AddScoped<AccountDeletion>();
builder.Services.AddAuthorizationBuilder()
    .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
    .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin));
builder.Services.AddSingleton<AuditSource>();
builder.Services.AddSingleton<ConversationCache>();
builder.Services.AddSingleton<ConversationStreams>();
builder.Services.AddSingleton<LibraryStreams>();
builder.Services.AddSingleton<Sambung.Web.Features.Prompts.PromptStreams>();
builder.Services.AddScoped<Sambung.Web.Features.Prompts.PromptLibrary>();
builder.Services.AddProviders();
builder.Services.AddReplyStreaming();
builder.Services.AddHostedService<HandlerWarmup>();
builder.Services.AddSingleton<TrashSweeper>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<TrashSweeper>());
builder.Services.AddSingleton<ProjectionRebuilder>();
builder.Services.Configure<ImportLimits>(builder.Configuration.GetSection(ImportLimits.Section));
builder.Services.AddScoped<ChatImporter>();
Sambung.Web.Features.Analytics.AnalyticsRegistration.AddUsageAnalytics(builder.Services);

builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
builder.Services.AddRazorPages(o =>
    {
        // Everything needs a signed-in user (the fallback policy) but signing in, registering and errors.
        o.Conventions.AllowAnonymousToPage("/Account/SignIn");
        o.Conventions.AllowAnonymousToPage("/Account/Register");
        o.Conventions.AllowAnonymousToPage("/Account/External");
        o.Conventions.AllowAnonymousToPage("/Account/Denied");
        o.Conventions.AllowAnonymousToPage("/Error");
        o.Conventions.AuthorizeFolder("/Admin", Roles.Admin);
        // An upload may be as large as the import allows (the page refuses a larger one with a clear message;
        // twice that is cut off by the server before it is read).
        var upload = 2 * (builder.Configuration.GetSection(ImportLimits.Section).Get<ImportLimits>() ?? new()).MaxFileBytes;
        o.Conventions.AddPageApplicationModelConvention("/Import", page =>
        {
            page.Filters.Add(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(upload));
            page.Filters.Add(new Microsoft.AspNetCore.Mvc.RequestFormLimitsAttribute { MultipartBodyLengthLimit = upload });
        });
    })
    .AddViewLocalization()
    .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, f) => f.Create(typeof(SharedResource)));
builder.Services.Configure<RequestLocalizationOptions>(o =>
{
    string[] cultures = ["en", "id"];
    o.SetDefaultCulture("en").AddSupportedCultures(cultures).AddSupportedUICultures(cultures);
    o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
});

builder.Services.Configure<ForwardedHeadersOptions>(o =>
    o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto); // a reverse proxy on loopback

// Scripts and styles are sent compressed; pages are not (they hold antiforgery tokens beside text the user typed,
// which compression would expose to BREACH-style guessing), nor are streams (compression would hold them back).
builder.Services.AddResponseCompression(o =>
{
    o.EnableForHttps = true;
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
    o.MimeTypes = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"];
});

var app = builder.Build();

app.UseForwardedHeaders();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}
app.UseSecurityHeaders(app.Configuration);
app.UseRequestLocalization();
app.UseResponseCompression();
// Files are addressed by content (asp-append-version): cache them for a year.
app.UseStaticFiles(new StaticFileOptions
{
    OnPrepareResponse = file =>
    {
        if (file.Context.Request.Query.ContainsKey("v"))
            file.Context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
    },
});
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapHealth();
app.MapReplyEvents();
app.MapSend();
app.MapAvatars();
app.MapChatExport();
app.MapAllChatsExport();
ChatListSignals.MapChatListEvents(app);
app.MapRazorPages();

return await app.RunJasperFxCommands(args);
