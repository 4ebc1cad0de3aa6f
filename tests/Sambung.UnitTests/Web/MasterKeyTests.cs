using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sambung.Web.Infrastructure;

namespace Sambung.UnitTests.Web;

public sealed class MasterKeyTests
{
    private static IServiceProvider With(string? masterKey) => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection([new(MasterKeyXmlEncryptor.Variable, masterKey)]).Build())
        .BuildServiceProvider();

    [Fact]
    public void a_data_protection_key_round_trips_through_the_master_key_and_is_unreadable_without_it()
    {
        var secret = new XElement("key", new XElement("masterKey", "c2VjcmV0LWtleS1tYXRlcmlhbA=="));
        var key = MasterKeyXmlEncryptor.KeyFrom(With("correct horse battery staple").GetRequiredService<IConfiguration>())!;

        var encrypted = new MasterKeyXmlEncryptor(key).Encrypt(secret);

        Assert.DoesNotContain("c2VjcmV0LWtleS1tYXRlcmlhbA", encrypted.EncryptedElement.ToString());
        Assert.Equal(secret.ToString(), new MasterKeyXmlDecryptor(With("correct horse battery staple")).Decrypt(encrypted.EncryptedElement).ToString());
        Assert.ThrowsAny<CryptographicException>(() => new MasterKeyXmlDecryptor(With("another key")).Decrypt(encrypted.EncryptedElement));
        Assert.ThrowsAny<CryptographicException>(() => new MasterKeyXmlDecryptor(With(null)).Decrypt(encrypted.EncryptedElement));
    }
}
