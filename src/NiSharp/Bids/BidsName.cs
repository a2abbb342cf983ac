using System.Runtime.CompilerServices;
using System.Text;

namespace NiSharp.Bids;

/// <summary>
/// A BIDS file name taken apart: <c>sub-01_ses-1_task-rest_run-1_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz</c>
/// → entities (<c>sub=01, ses=1, task=rest, run=1, space=…, desc=preproc</c>), suffix <c>bold</c> and
/// extension <c>.nii.gz</c> (everything from the first dot, so <c>.dtseries.nii</c> and <c>.tsv.gz</c> stay whole).
/// </summary>
/// <remarks>
/// <para>The parser walks the characters once (no regular expression): the whole dataset is parsed at
/// indexing time and pyBIDS's one-regex-per-entity approach is where its indexing time goes.</para>
/// <para>fMRIPrep before 1.2 wrote names such as <c>sub-01_task-rest_bold_space-MNI152NLin2009cAsym_preproc.nii.gz</c>
/// (the modality in the middle, the derivative kind last). These are read as the name fMRIPrep 1.2 gave
/// the same file (<c>…_space-MNI152NLin2009cAsym_desc-preproc_bold</c>; <c>brainmask</c> → <c>desc-brain_mask</c>;
/// <c>_bold_confounds.tsv</c> → <c>desc-confounds_regressors</c>; <c>variant-X</c> → <c>desc-X</c>; <c>class-X</c> → <c>label-X</c>;
/// <c>probtissue</c> → <c>probseg</c>; <c>dtissue</c> → <c>dseg</c>) and flagged <see cref="IsLegacy"/>, so the same
/// query finds both generations. pyBIDS reads them literally (suffix <c>preproc</c>), which no query of the
/// lesson can use.</para>
/// <para>A name with no <c>key-value</c> part at all (<c>README</c>, <c>participants.tsv</c>, <c>dataset_description.json</c>)
/// has its whole stem as suffix.</para>
/// </remarks>
public sealed class BidsName
{
    /// <summary>The entities in name order.</summary>
    public BidsEntities Entities { get; }

    /// <summary>The suffix (<c>bold</c>, <c>T1w</c>, <c>mask</c>), or null when the name ends with a key-value pair (<c>sub-01.html</c>).</summary>
    public string? Suffix { get; }

    /// <summary>The extension with its leading dot (<c>.nii.gz</c>), or an empty string.</summary>
    public string Extension { get; }

    /// <summary>Whether this is a pre-1.2 fMRIPrep name read as its current equivalent.</summary>
    public bool IsLegacy { get; }

    /// <summary>Whether some key is not one of <see cref="EntityKeys.KnownKeys"/> (the index records those for query checks).</summary>
    internal bool HasCustomKeys { get; init; }

    internal BidsName(BidsEntities entities, string? suffix, string extension, bool isLegacy)
    {
        Entities = entities;
        Suffix = suffix;
        Extension = extension;
        IsLegacy = isLegacy;
    }

    /// <summary>Parses a file name (of a path, the last part); fails with a <see cref="NiSharpException"/> naming it when it is not a BIDS name.</summary>
    public static BidsName Parse(string fileName) =>
        TryParse(fileName, out var name, out var problem) ? name! : throw new NiSharpException(fileName, problem!);

    /// <summary>Parses a file name (of a path, the last part); on failure returns false and says why in <paramref name="problem"/>.</summary>
    public static bool TryParse(string fileName, out BidsName? name, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var r = Parse(Path.GetFileName(fileName.AsSpan()), null, null, null);
        name = r.Name;
        problem = r.Problem;
        return name is not null;
    }

    /// <summary>The canonical file name: entities in order, then the suffix, then the extension.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var e in Entities)
        {
            if (sb.Length > 0) sb.Append('_');
            sb.Append(e.Key).Append('-').Append(e.Value);
        }
        if (Suffix is not null)
        {
            if (sb.Length > 0 && Entities.Count > 0) sb.Append('_');
            sb.Append(Suffix);
        }
        return sb.Append(Extension).ToString();
    }

    internal readonly record struct Result(BidsName? Name, string? Problem);

    // Upper bound on '_'-separated parts; real names have fewer than 15.
    private const int MaxParts = 40;

    [ThreadStatic] private static string[]? t_keys;
    [ThreadStatic] private static string[]? t_values;

    /// <summary>
    /// The parser. <paramref name="folderSubject"/>/<paramref name="folderSession"/> are the labels of the
    /// <c>sub-*</c>/<c>ses-*</c> folders holding the file: they fill in a name that lacks them (pyBIDS
    /// reads <c>sub</c> from the whole path too) and must agree with a name that has them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Result Parse(ReadOnlySpan<char> fileName, LabelPool? pool, string? folderSubject, string? folderSession, KeySequences? keySequences = null)
    {
        if (fileName.IsEmpty) return Fail("empty file name");
        if (fileName[0] == '.') return Fail("hidden file");
        int dot = fileName.IndexOf('.');
        var stem = dot < 0 ? fileName : fileName[..dot];
        string extension = dot < 0 ? "" : Intern(pool, fileName[dot..]);

        if (stem.IndexOf('-') < 0)
        {
            // No key-value pair: README, participants.tsv, dataset_description.json, fmriprep.toml.
            foreach (char c in stem)
                if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                    return Fail($"'{stem}' is not a BIDS name (no key-value pairs, and characters other than letters, digits and '_')");
            return Ok(WithFolderEntities(BidsEntities.Empty, folderSubject, folderSession), Intern(pool, stem), extension, false);
        }

        Span<Range> parts = stackalloc Range[MaxParts + 1];
        int n = stem.Split(parts, '_');
        if (n > MaxParts) return Fail($"more than {MaxParts} '_'-separated parts");

        int kvCount = 0, baseIndex = -1, bareMiddle = 0;
        for (int i = 0; i < n; i++)
        {
            var t = stem[parts[i]];
            if (t.IsEmpty) return Fail("empty part between underscores");
            int dash = t.IndexOf('-');
            if (dash >= 0)
            {
                var key = t[..dash];
                var value = t[(dash + 1)..];
                if (key.IsEmpty) return Fail($"'{t}' has no entity key before the '-'");
                if (value.IsEmpty) return Fail($"'{t}' has no label after the '-'");
                if (!IsAlphanumeric(key)) return Fail($"entity key '{key}' must be letters and digits");
                if (!IsAlphanumeric(value)) return Fail($"label '{value}' of '{key}' must be letters and digits");
                kvCount++;
            }
            else if (i < n - 1)
            {
                bareMiddle++;
                baseIndex = i;
            }
            else if (!IsAlphanumeric(t))
            {
                return Fail($"suffix '{t}' must be letters and digits");
            }
        }

        bool legacy = false;
        if (bareMiddle > 0)
        {
            // Only the pre-1.2 fMRIPrep shape (sub-…_<modality>_key-value…_<kind>) has a bare word before the end.
            if (bareMiddle > 1) return Fail("more than one part without '-' before the suffix");
            if (!stem.StartsWith(SubjectLabel.Prefix, StringComparison.Ordinal)) return Fail($"'{stem[parts[baseIndex]]}' is not a key-value pair");
            if (!IsAlphanumeric(stem[parts[baseIndex]])) return Fail($"'{stem[parts[baseIndex]]}' must be letters and digits");
            legacy = true;
        }

        var lastToken = stem[parts[n - 1]];
        bool endsWithSuffix = lastToken.IndexOf('-') < 0;
        string? suffix = endsWithSuffix ? Intern(pool, lastToken) : null;

        // Scratch space; the final arrays are sized (and the key array shared) once everything is known.
        var keys = t_keys ??= new string[MaxParts + 4];
        var values = t_values ??= new string[MaxParts + 4];
        int count = 0;
        bool custom = false;
        for (int i = 0; i < n; i++)
        {
            var t = stem[parts[i]];
            int dash = t.IndexOf('-');
            if (dash < 0) continue;
            var keySpan = t[..dash];
            string? known = EntityKeys.KnownKey(keySpan);
            custom |= known is null;
            string key = known ?? Intern(pool, keySpan);
            if (legacy && i > baseIndex)
            {
                // fMRIPrep 1.2 renamed these entities (BIDS Derivatives RC1).
                if (key == "variant") key = "desc";
                else if (key == "class") key = "label";
            }
            for (int j = 0; j < count; j++)
                if (keys[j] == key) return Fail($"entity '{key}' appears twice");
            keys[count] = key;
            values[count++] = Intern(pool, t[(dash + 1)..]);
        }

        if (legacy)
        {
            var modality = Intern(pool, stem[parts[baseIndex]]);
            string? desc = null;
            if (endsWithSuffix)
            {
                switch (suffix)
                {
                    case "preproc": desc = "preproc"; suffix = modality; break;
                    case "brainmask": desc = "brain"; suffix = "mask"; break;
                    case "confounds": desc = "confounds"; suffix = "regressors"; break;
                    case "probtissue": suffix = "probseg"; break;
                    case "dtissue": suffix = "dseg"; break;
                }
            }
            else
            {
                suffix = modality;
            }
            int descAt = Array.IndexOf(keys, "desc", 0, count);
            if (desc is not null && descAt < 0)
            {
                keys[count] = "desc";
                values[count++] = desc;
            }
        }

        // Folder labels: check agreement, then fill in what the name lacks (at the front, BIDS order).
        string? nameSub = Find(keys, values, count, "sub");
        string? nameSes = Find(keys, values, count, "ses");
        if (folderSubject is not null && nameSub is not null && nameSub != folderSubject)
            return Fail($"the name says sub-{nameSub} but the file is in folder sub-{folderSubject}");
        if (folderSession is not null && nameSes is not null && nameSes != folderSession)
            return Fail($"the name says ses-{nameSes} but the file is in folder ses-{folderSession}");
        bool addSub = folderSubject is not null && nameSub is null;
        bool addSes = folderSession is not null && nameSes is null;
        int total = count + (addSub ? 1 : 0) + (addSes ? 1 : 0);
        int front = (addSub ? 1 : 0) + (addSes ? 1 : 0);
        if (front > 0)
        {
            Array.Copy(keys, 0, keys, front, count);
            Array.Copy(values, 0, values, front, count);
            int o = 0;
            if (addSub) { keys[o] = "sub"; values[o++] = folderSubject!; }
            if (addSes) { keys[o] = "ses"; values[o] = folderSession!; }
        }
        var k2 = keySequences is null ? keys.AsSpan(0, total).ToArray() : keySequences.Intern(keys.AsSpan(0, total));
        var v2 = values.AsSpan(0, total).ToArray();
        return new(new BidsName(new BidsEntities(k2, v2), suffix, extension, legacy) { HasCustomKeys = custom }, null);
    }

    private static BidsEntities WithFolderEntities(BidsEntities e, string? sub, string? ses)
    {
        if (sub is null && ses is null) return e;
        var k = new List<string>(2);
        var v = new List<string>(2);
        if (sub is not null) { k.Add("sub"); v.Add(sub); }
        if (ses is not null) { k.Add("ses"); v.Add(ses); }
        return new BidsEntities(k.ToArray(), v.ToArray());
    }

    private static string? Find(string[] keys, string[] values, int count, string key)
    {
        for (int i = 0; i < count; i++)
            if (ReferenceEquals(keys[i], key) || keys[i] == key) return values[i];
        return null;
    }

    private static Result Ok(BidsEntities e, string? suffix, string ext, bool legacy) => new(new BidsName(e, suffix, ext, legacy), null);

    private static Result Fail(string problem) => new(null, problem);

    private static string Intern(LabelPool? pool, ReadOnlySpan<char> s) => pool is null ? s.ToString() : pool.Get(s);

    /// <summary>BIDS labels and keys: ASCII letters and digits only.</summary>
    internal static bool IsAlphanumeric(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!char.IsAsciiLetterOrDigit(c)) return false;
        return s.Length > 0;
    }
}
