@echo off
rem Start Meridian from an unpacked distribution: bin\meridian [--port N] [--origin URL] [--set key=value]...
rem Unless --config is given, a run reads config\meridian.conf next to this directory. JAVA_HOME picks the Java
rem (17 or newer; java on the PATH otherwise) and JAVA_OPTS adds JVM options.
setlocal
set "HOME_DIR=%~dp0.."
set "JAVA_EXE=java"
if defined JAVA_HOME set "JAVA_EXE=%JAVA_HOME%\bin\java"

set "CONFIG_ARGS="
if exist "%HOME_DIR%\config\meridian.conf" set "CONFIG_ARGS=--config "%HOME_DIR%\config\meridian.conf""
for %%a in (%*) do (
    if "%%~a"=="--config" set "CONFIG_ARGS="
    if "%%~a"=="check-config" set "CONFIG_ARGS="
    if "%%~a"=="--version" set "CONFIG_ARGS="
    if "%%~a"=="--help" set "CONFIG_ARGS="
)

"%JAVA_EXE%" %JAVA_OPTS% ^
    --add-opens java.base/jdk.internal.misc=ALL-UNNAMED ^
    --add-opens java.base/java.nio=ALL-UNNAMED ^
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED ^
    -cp "%HOME_DIR%\lib\*" io.meridian.gateway.Meridian %CONFIG_ARGS% %*
exit /b %ERRORLEVEL%
