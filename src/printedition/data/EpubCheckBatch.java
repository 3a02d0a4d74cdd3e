// Runs EPUBCheck on several EPUB files in one Java start-up (printedition.validate).
// The files are named as arguments or, with none, one a line on standard input: a build
// starts the run early, warms EPUBCheck up (its schemas take seconds to load) on a tiny EPUB,
// and names its own EPUBs once they are written.
// Output: one line per message, tab separated:
//   severity, id, epub file, path inside the epub, line, column, message
// Tabs and line breaks inside fields are replaced by spaces.
import com.adobe.epubcheck.api.EPUBLocation;
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.api.MasterReport;
import com.adobe.epubcheck.messages.Message;
import com.adobe.epubcheck.messages.Severity;
import com.adobe.epubcheck.util.FeatureEnum;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

public class EpubCheckBatch {
  static PrintStream out;

  static String clean(Object value) {
    return value == null ? "" : value.toString().replaceAll("[\\t\\r\\n]+", " ").trim();
  }

  static void emit(String severity, String id, String file, String path, int line, int col, String text) {
    out.println(severity + "\t" + id + "\t" + clean(file) + "\t" + clean(path) + "\t" + line + "\t" + col + "\t" + clean(text));
  }

  static class LineReport extends MasterReport {
    final String file;

    LineReport(String file) {
      super();
      this.file = file;
      setEpubFileName(file);
    }

    @Override
    public void message(Message message, EPUBLocation location, Object... args) {
      Severity severity = message.getSeverity();
      if (severity == Severity.SUPPRESSED || severity == Severity.USAGE) {
        return;
      }
      String path = location == null ? "" : location.getPath();
      int line = location == null ? -1 : location.getLine();
      int col = location == null ? -1 : location.getColumn();
      emit(severity.toString(), message.getID().toString(), file, path, line, col, message.getMessage(args));
    }

    @Override
    public void info(String resource, FeatureEnum feature, String value) {}

    @Override
    public int generate() {
      return 0;
    }

    @Override
    public void initialize() {}
  }

  public static void main(String[] args) throws Exception {
    out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Locale.setDefault(Locale.ENGLISH);
    if (args.length > 0) {
      for (String name : args) {
        check(name);
      }
    } else {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String name = in.readLine(); name != null; name = in.readLine()) {
        if (!name.isEmpty()) {
          check(name);
        }
      }
    }
    out.flush();
  }

  static void check(String name) {
    LineReport report = new LineReport(name);
    report.setLocale(Locale.ENGLISH);
    try {
      EpubCheck check = new EpubCheck(new File(name), report);
      check.setLocale(Locale.ENGLISH);
      check.doValidate();
    } catch (Throwable exc) {
      emit("FATAL", "CHECKER", name, "", -1, -1, "EPUBCheck failed: " + exc);
    }
    emit("DONE", "", name, "", -1, -1, "");
  }
}
