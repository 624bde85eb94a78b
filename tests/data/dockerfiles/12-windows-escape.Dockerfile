# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN powershell -Command `
    Invoke-WebRequest https://example.com/setup.exe -OutFile C:\setup.exe
COPY app C:\app
ENTRYPOINT ["C:\\app\\app.exe"]
# expect: base-image 2 medium "servercore:ltsc2022: tag only"
# expect: entrypoint 6 low "runs C:\app\app.exe"
# expect: privilege 0 medium "no USER"
# expect: download 3 high "powershell inline code fetches https://example.com/setup.exe"
# expect-count: 4
# expect-ids: VR102-9143bccf2f VR301-f0c146d668 VR401-0ee9b5c75d VR503-518b203e19
