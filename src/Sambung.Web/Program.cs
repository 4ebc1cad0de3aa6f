using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Localization;
using Npgsql;
using Sambung.Projections;
using Sambung.Web;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Health;
using Sambung.Web.Features.Library;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;
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
        // Self-hosters upgrade by restarting: the schema follows the code. Set Sambung__ApplySchemaOnStart=false
        // to manage it yourself (dotnet Sambung.Web.dll db-apply).
        opts.AutoCreateSchemaObjects = builder.Configuration.GetValue("Sambung:ApplySchemaOnStart", true)
            ? AutoCreate.CreateOrUpdate : AutoCreate.None;
    })
    .UseNpgsqlDataSource()
    .UseLightweightSessions()
    .ApplyAllDatabaseChangesOnStartup()
    .AddAsyncDaemon(DaemonMode.Solo)
    .IntegrateWithWolverine();

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
builder.Services.AddScoped<CurrentUser>();
builder.Services.AddSingleton<AuditSource>();
builder.Services.AddSingleton<ConversationCache>();
builder.Services.AddSingleton<ConversationStreams>();
builder.Services.AddSingleton<LibraryStreams>();
builder.Services.AddChatProviders(builder.Configuration);
builder.Services.AddReplyStreaming();
builder.Services.AddHostedService<HandlerWarmup>();
builder.Services.AddSingleton<TrashSweeper>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<TrashSweeper>());
builder.Services.AddSingleton<ProjectionRebuilder>();

builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
builder.Services.AddRazorPages()
    .AddViewLocalization()
    .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, f) => f.Create(typeof(SharedResource)));
builder.Services.AddAntiforgery(o => o.HeaderName = "X-CSRF-TOKEN");
builder.Services.Configure<RequestLocalizationOptions>(o =>
{
    string[] cultures = ["en", "id"];
    o.SetDefaultCulture("en").AddSupportedCultures(cultures).AddSupportedUICultures(cultures);
    o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
});

var app = builder.Build();

if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error");
app.UseSecurityHeaders();
app.UseRequestLocalization();
app.UseStaticFiles();
app.UseRouting();
app.UseAntiforgery();

app.MapHealth();
app.MapReplyEvents();
app.MapRazorPages();

return await app.RunJasperFxCommands(args);
