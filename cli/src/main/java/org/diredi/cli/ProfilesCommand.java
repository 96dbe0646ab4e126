package org.diredi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.ProfileChecker;
import org.diredi.profiles.Profiles;
import org.diredi.profiles.Violation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Device profiles: what each camera target accepts, and checks of exported models against them. */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "Device profiles (jetson-nano, imx500, local-pc, cpu): list, show, check an ONNX model.",
        subcommands = {ProfilesCommand.ListProfiles.class, ProfilesCommand.Show.class, ProfilesCommand.Check.class})
final class ProfilesCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the bundled profiles.")
    static final class ListProfiles implements Callable<Integer> {
        @Override
        public Integer call() {
            for (DeviceProfile p : Profiles.all()) {
                System.out.println(p.summary());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print one profile in full.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "NAME|FILE", description = "a profile name or a profile YAML file")
        String name;

        @Override
        public Integer call() {
            System.out.println(org.diredi.vision.config.ConfigFiles.toJson(Profiles.resolve(name)));
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Report every way an ONNX model breaks a profile (operator and node, opset, sizes); exit 1 if any.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "MODEL.onnx", description = "the exported model")
        Path model;

        @Option(names = "--profile", required = true, paramLabel = "NAME|FILE", description = "the target profile")
        String profile;

        @Override
        public Integer call() {
            DeviceProfile p = Profiles.resolve(profile);
            List<Violation> v = ProfileChecker.check(model, p);
            System.out.println(ProfileChecker.report(p, v));
            return v.isEmpty() ? 0 : 1;
        }
    }
}
