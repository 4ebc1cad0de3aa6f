using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Sambung.Web.Infrastructure;

// Optional: with SAMBUNG_MASTER_KEY set, the Data Protection keys stored in PostgreSQL are themselves encrypted
// (AES-256-GCM, the key derived with HKDF-SHA256), so a copy of the database alone cannot decrypt provider keys
// or forge cookies. Without it they are stored as Data Protection writes them, and protected by who can read the
// database. Changing or losing the master key makes the stored keys unreadable: back it up.
public sealed class MasterKeyXmlEncryptor(byte[] key) : IXmlEncryptor
{
    public const string Variable = "SAMBUNG_MASTER_KEY";

    public static byte[]? KeyFrom(IConfiguration config) =>
        string.IsNullOrWhiteSpace(config[Variable]) ? null
            : HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(config[Variable]!.Trim()), 32, info: "sambung-data-protection-v1"u8.ToArray());

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(key, tag.Length)) aes.Encrypt(nonce, plain, cipher, tag);
        var element = new XElement("encryptedKey",
            new XComment(" Encrypted with SAMBUNG_MASTER_KEY (AES-256-GCM). "),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(cipher)));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

// Created by Data Protection (by type name) when it reads a key; takes the master key from configuration.
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = MasterKeyXmlEncryptor.KeyFrom(services.GetRequiredService<IConfiguration>())
            ?? throw new CryptographicException($"The Data Protection keys are encrypted, but {MasterKeyXmlEncryptor.Variable} is not set.");
        var nonce = Convert.FromBase64String(encryptedElement.Element("nonce")!.Value);
        var tag = Convert.FromBase64String(encryptedElement.Element("tag")!.Value);
        var cipher = Convert.FromBase64String(encryptedElement.Element("value")!.Value);
        var plain = new byte[cipher.Length];
        using (var aes = new AesGcm(key, tag.Length)) aes.Decrypt(nonce, cipher, tag, plain);
        return XElement.Parse(Encoding.UTF8.GetString(plain));
    }
}
